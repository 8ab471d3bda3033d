/**
 * JSON as the original Peer2Peer Connector writes it: Go's `encoding/json` on a `map[string]interface{}` sorts
 * the keys of every object, escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings, and gorilla's `WriteJSON`
 * ends each frame with a newline. Values come from `JSON.parse`, so they are plain JSON data.
 */
export function goJson(value: unknown): string {
  return escapeLikeGo(serialize(value));
}

/** Go's RFC 3339 with the fraction trimmed of trailing zeros (`time.RFC3339Nano`), at the millisecond JS has. */
export function goTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_match, fraction: string) => (fraction === '' ? 'Z' : `.${fraction}Z`));
}

function serialize(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : serialize(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  // Sorted by hand: JSON.stringify would put integer-like keys first, whatever their order.
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item !== undefined) parts.push(`${JSON.stringify(key)}:${serialize(item)}`);
  }
  return `{${parts.join(',')}}`;
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** These characters can only occur inside strings in JSON text, so escaping them in the whole text is safe. */
function escapeLikeGo(text: string): string {
  return /[<>&\u2028\u2029]/.test(text) ? text.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] as string) : text;
}
