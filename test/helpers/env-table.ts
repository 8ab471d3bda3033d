import { ENV_VARS } from '../../src/env.js';

/** The README's table of the standalone server's variables, as ENV_VARS (what --help prints) says it. */
export function envTable(): string {
  const code = (text: string) => (/\s/.test(text) || text === 'none' || text === 'random' ? text : `\`${text}\``);
  return [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...ENV_VARS.map((v) => `| \`${v.name}\` | ${code(v.default)} | ${v.meaning} |`),
  ].join('\n');
}
