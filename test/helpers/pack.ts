import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

/** A fresh npm project in a temp directory with the packed package (as `npm publish` would ship it) installed. */
export interface FreshProject {
  readonly dir: string;
  remove(): Promise<void>;
}

/**
 * Packs the built package (`npm test` has just built dist/) and installs it, plus `extra` packages, into a new
 * project, the way a user would. Installs prefer the local npm cache.
 */
export async function freshProject(prefix: string, extra: readonly string[] = []): Promise<FreshProject> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], { cwd: repo });
  const tarball = join(dir, stdout.trim().split('\n').pop() as string);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', tarball, ...extra], { cwd: dir });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `tsc -p <dir>` with the repo's TypeScript; resolves with everything it printed ('' when it is happy). */
export async function typecheckProject(dir: string): Promise<string> {
  const result = await run(process.execPath, [tsc, '-p', dir], { cwd: dir }).catch((error: { stdout?: string; stderr?: string }) => error);
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

/** Runs a Node script in `dir`; resolves with its exit code and output (never rejects). */
export async function runNode(dir: string, args: readonly string[], env: Record<string, string> = {}) {
  const result = await run(process.execPath, args, { cwd: dir, timeout: 20_000, env: { ...process.env, ...env } }).then(
    (ok) => ({ ...ok, code: 0 }),
    (error: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '', code: error.code ?? -1 }),
  );
  return { code: result.code, stdout: String(result.stdout), stderr: String(result.stderr) };
}
