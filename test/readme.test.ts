import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envTable } from './helpers/env-table.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// The README's code blocks are type-checked against the packed package in test/package.test.ts.
describe('README', () => {
  it("lists the standalone server's variables exactly as --help does", () => {
    const section = /<!-- env:start -->\n([\s\S]*?)\n<!-- env:end -->/.exec(readme)?.[1];
    expect(section).toBe(envTable());
  });
});
