import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const typedoc = fileURLToPath(new URL('../node_modules/typedoc/bin/typedoc', import.meta.url));

describe('the API reference (npm run docs)', () => {
  // The same run `npm run docs` makes, without writing docs/api: typedoc.json treats every warning (a public type
  // left out, a broken {@link}) as an error, so the reference cannot silently rot.
  it('builds from the TSDoc comments without a warning', async () => {
    const result = await run(process.execPath, [typedoc, '--emit', 'none'], { cwd: repo }).catch(
      (error: { stdout?: string; stderr?: string; code?: number }) => error,
    );
    expect(`${result.stdout ?? ''}${result.stderr ?? ''}`).toBe('');
  }, 90_000);
});
