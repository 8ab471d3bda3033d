import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface RunningCli {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: () => string;
  /** Resolves with the first match of `pattern` in the output, now or once it is printed. */
  readonly waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
  readonly exited: Promise<number | null>;
}

/**
 * Runs the built CLI (`npm test` builds first) on a free loopback port and waits for its "listening" line.
 * The process is killed when the test ends, if it is still running.
 */
export async function startCli(env: Record<string, string> = {}): Promise<RunningCli> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` (npm test does)`);
  const child = spawn(process.execPath, [CLI_PATH], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const watchers: Array<() => void> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      for (const watcher of [...watchers]) watcher();
      const match = /listening on ws:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const watcher of [...watchers]) watcher();
    });
    exited.then((code) => reject(new Error(`CLI exited with ${code} before listening:\n${output}`)));
  });
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match === null) return;
        watchers.splice(watchers.indexOf(check), 1);
        resolve(match);
      };
      watchers.push(check);
      check();
      exited.then((code) => reject(new Error(`CLI exited with ${code} before printing ${pattern}:\n${output}`)));
    });
  return { child, port, output: () => output, waitFor, exited };
}

/** Runs the built CLI to completion (for `--help`, `--version`, refusals); resolves with its exit code and output. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
