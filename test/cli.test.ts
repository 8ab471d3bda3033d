import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ENV_VARS, optionsFromEnv } from '../src/env.js';
import { SIGNALING_DEFAULTS } from '../src/index.js';
import { TestClient } from './helpers/client.js';
import { CLI_PATH, runCli, startCli } from './helpers/cli.js';
import { getJson } from './helpers/server.js';

describe('npx signalroom (the built CLI)', () => {
  it('lets two raw WebSocket clients exchange offer, answer and ice-candidate, shows them on /status, and exits 0 on SIGTERM', async () => {
    const cli = await startCli();
    const url = `ws://127.0.0.1:${cli.port}`;
    const a = await TestClient.open(url);
    const b = await TestClient.open(url);
    for (const client of [a, b]) {
      client.send({ type: 'join-room', room: 'call' });
      await client.next();
      await client.next();
    }
    expect(await a.next()).toEqual({ type: 'peer-joined', peerId: b.id });

    a.send({ type: 'offer', to: b.id, offer: { type: 'offer', sdp: 'v=0' } });
    expect(await b.next()).toEqual({ type: 'offer', to: b.id, offer: { type: 'offer', sdp: 'v=0' }, from: a.id });
    b.send({ type: 'answer', to: a.id, answer: { type: 'answer', sdp: 'v=0' } });
    expect(await a.next()).toMatchObject({ type: 'answer', from: b.id });
    a.send({ type: 'ice-candidate', to: b.id, candidate: { candidate: 'c' } });
    expect(await b.next()).toMatchObject({ type: 'ice-candidate', from: a.id, candidate: { candidate: 'c' } });

    expect(await getJson(`http://127.0.0.1:${cli.port}/status`)).toEqual({
      totalClients: 2,
      clients: [a.id, b.id],
      rooms: { call: [a.id, b.id] },
    });

    cli.child.kill('SIGTERM');
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(await cli.exited).toBe(0);
  });

  it('exits 0 on SIGINT too', async () => {
    const cli = await startCli();
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it('refuses to start on a malformed PORT and says why', async () => {
    await expect(startCli({ PORT: 'eighty' })).rejects.toThrow('PORT must be an integer from 0 to 65535, got "eighty"');
  });
});

describe('npx signalroom: arguments, logs and the ready line', () => {
  it('--help and -h list every environment variable with its default, and start no server', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout } = await runCli([flag]);
      expect(code).toBe(0);
      expect(stdout).toContain('Usage: signalroom');
      for (const variable of ENV_VARS) {
        expect(stdout).toMatch(new RegExp(`^  ${variable.name} +${escape(variable.default)} +${escape(variable.meaning)}$`, 'm'));
      }
    }
    expect(ENV_VARS.find((v) => v.name === 'MAX_ROOM_CLIENTS')?.default).toBe(String(SIGNALING_DEFAULTS.maxPeersPerRoom));
  });

  it('--version and -v print the version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) expect(await runCli([flag])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('refuses an unknown argument with exit code 2 and a pointer to --help', async () => {
    const { code, stdout, stderr } = await runCli(['--port', '8080']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('signalroom: unknown argument "--port"\nRun `signalroom --help` for the usage and every environment variable.\n');
  });

  it('logs JSON lines when stdout is not a terminal, with a ready line that says where /status and /dashboard are', async () => {
    const cli = await startCli({ HOST: '0.0.0.0' });
    const ready = JSON.parse(cli.output().split('\n')[0] as string) as Record<string, unknown>;
    const base = `127.0.0.1:${cli.port}`;
    expect(ready).toMatchObject({
      event: 'listening',
      url: `ws://${base}`,
      bound: `0.0.0.0:${cli.port}`,
      status: `http://${base}/status`,
      dashboard: `http://${base}/dashboard`,
    });
    expect(ready.msg).toBe(
      `signalroom listening on ws://${base} · (bound to 0.0.0.0: every interface; HOST=127.0.0.1 keeps it to this machine) · status http://${base}/status · dashboard http://${base}/dashboard`,
    );
    expect((await fetch(`http://${base}/status`)).status).toBe(200);
  });

  it('logs human-readable lines on a terminal', async () => {
    // `script` gives the CLI a pseudo-terminal as stdout, as an interactive shell would.
    const cli = spawn('script', ['-qec', `${process.execPath} ${CLI_PATH}`, '/dev/null'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    onTestFinished(() => void cli.kill('SIGKILL'));
    let output = '';
    const line = await new Promise<string>((resolve) =>
      cli.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /^.*listening on.*$/m.exec(output);
        if (match) resolve(match[0]);
      }),
    );
    expect(line).toMatch(/^\d\d:\d\d:\d\d INFO  signalroom listening on ws:\/\/127\.0\.0\.1:\d+ · status http:\/\/127\.0\.0\.1:\d+\/status · dashboard http:\/\/127\.0\.0\.1:\d+\/dashboard  url=ws:\/\/127\.0\.0\.1:\d+/);
  });

  it('LOG_FORMAT=pretty and LOG_FORMAT=json override the guess', async () => {
    const pretty = await startCli({ LOG_FORMAT: 'pretty' });
    expect(pretty.output()).toMatch(/^\d\d:\d\d:\d\d INFO  signalroom listening on /);
    const json = await startCli({ LOG_FORMAT: 'json' });
    expect(JSON.parse(json.output().split('\n')[0] as string)).toMatchObject({ level: 30, event: 'listening' });
    await expect(startCli({ LOG_FORMAT: 'xml' })).rejects.toThrow('LOG_FORMAT must be one of json, pretty, got "xml"');
  });

  it('DASHBOARD=off, STATUS=off and METRICS=off turn those routes off, and the ready line says so', async () => {
    const cli = await startCli({ DASHBOARD: 'off', STATUS: 'off', METRICS: 'off' });
    const base = `http://127.0.0.1:${cli.port}`;
    expect((await fetch(`${base}/dashboard`)).status).toBe(404);
    expect((await fetch(`${base}/status`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect(cli.output()).toMatch(/signalroom listening on ws:\/\/127\.0\.0\.1:\d+"/);
  });
});

describe('optionsFromEnv', () => {
  it('leaves an unset WS_SECRET out (no tokens), and passes a set one as tokenSecret', async () => {
    expect(Object.hasOwn(optionsFromEnv({}).options, 'tokenSecret')).toBe(false);
    expect(optionsFromEnv({ WS_SECRET: 's3cret' }).options.tokenSecret).toBe('s3cret');
    const cli = await startCli({ WS_SECRET: 's3cret' });
    const peer = await TestClient.open(`ws://127.0.0.1:${cli.port}/?token=s3cret`);
    // /status keeps its shape, behind the same secret.
    expect((await fetch(`http://127.0.0.1:${cli.port}/status`)).status).toBe(401);
    const status = await fetch(`http://127.0.0.1:${cli.port}/status`, { headers: { authorization: 'Bearer s3cret' } });
    expect(await status.json()).toEqual({ totalClients: 1, clients: [peer.id], rooms: {} });
  });

  it('reads WS_TOKEN_AUDIENCE and WS_TOKEN_ISSUER as comma-separated lists, and leaves them out when unset', () => {
    expect(Object.hasOwn(optionsFromEnv({}).options, 'tokenAudience')).toBe(false);
    const { options } = optionsFromEnv({ WS_SECRET: 's', WS_TOKEN_AUDIENCE: 'signal, signal.example.com', WS_TOKEN_ISSUER: 'https://auth.example' });
    expect(options).toMatchObject({ tokenAudience: ['signal', 'signal.example.com'], tokenIssuer: ['https://auth.example'] });
    expect(() => optionsFromEnv({ WS_SECRET: 's', WS_TOKEN_AUDIENCE: ' , ' })).toThrow(
      new Error('WS_TOKEN_AUDIENCE must be a comma-separated list of audiences, got " , "'),
    );
    expect(() => optionsFromEnv({ WS_TOKEN_ISSUER: 'https://auth.example' })).toThrow(
      new Error('WS_TOKEN_ISSUER checks the tokens of WS_SECRET, which is not set'),
    );
  });
});

describe('npx signalroom with REDIS_URL', () => {
  it('refuses a REDIS_URL that is not a Redis URL, naming the variable', async () => {
    await expect(startCli({ REDIS_URL: 'not-a-url' })).rejects.toThrow(
      'signalroom: REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379, got "not-a-url"',
    );
  });

  it('says in its own log, as JSON, that Redis does not answer, and nothing else on stderr', async () => {
    // A port nothing listens on: a server bound and closed again at once.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const cli = await startCli({ REDIS_URL: `redis://127.0.0.1:${port}`, LOG_FORMAT: 'json' });
    const [line] = await cli.waitFor(/^.*"backplane-down".*$/m);
    expect(JSON.parse(line)).toMatchObject({ level: 40, event: 'backplane-down', redis: `127.0.0.1:${port}` });
    expect(JSON.parse(line).msg).toContain(`Redis at 127.0.0.1:${port} (REDIS_URL) does not answer`);
    expect(await (await fetch(`http://127.0.0.1:${cli.port}/readyz`)).json()).toEqual({ status: 'not ready' });
    for (const text of cli.output().split('\n').filter((l) => l !== '')) expect(() => JSON.parse(text)).not.toThrow();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
