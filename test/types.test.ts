import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

/** Compiles one test/types project against the built declarations (npm test builds first); resolves with tsc's output. */
async function typecheck(project: string): Promise<string> {
  const result = await run(process.execPath, [tsc, '-p', `test/types/tsconfig.${project}.json`], { cwd: repo }).catch(
    (error: { stdout?: string; stderr?: string }) => error,
  );
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

// Each project is strict with skipLibCheck: false, so the shipped .d.ts files are checked as a user's tsc checks them.
describe('the client and server types, as a user compiles them', () => {
  it('accept the DOM WebSocket and RTCPeerConnection: setup can addTrack, track events and mesh.connection() are typed', async () => {
    expect(await typecheck('browser')).toBe('');
  }, 60_000);

  it('accept await using and AbortSignal on lib ESNext with the DOM', async () => {
    expect(await typecheck('browser-esnext')).toBe('');
  }, 60_000);

  it("accept ws's WebSocket and Node 22's global one, and await using on the server handle", async () => {
    expect(await typecheck('node')).toBe('');
  }, 60_000);
});
