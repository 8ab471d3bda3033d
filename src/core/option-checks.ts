// Checks every options object runs through, so a mistake fails at startup with a message that says what to fix.

/** How a value reads in an error message: `8`, `"8" (string)`, `null`, `an object`, `a function`. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Refuses keys that are not options, the mistake JavaScript lets through silently (`maxPeerPerRoom: 8` would
 * otherwise leave the limit at its default). The known keys are read from the defaults objects, so an option
 * added there later is known here at once.
 *
 * @throws TypeError `options.maxPeerPerRoom is not an option; did you mean maxPeersPerRoom?`
 */
export function assertKnownKeys(options: object, known: Iterable<string>, where = 'options'): void {
  const keys = new Set(known);
  for (const key of Object.keys(options)) {
    if (keys.has(key)) continue;
    const suggestion = closest(key, keys);
    throw new TypeError(
      `${where}.${key} is not an option${suggestion === undefined ? ` (the options are: ${[...keys].sort().join(', ')})` : `; did you mean ${suggestion}?`}`,
    );
  }
}

/** The known key nearest to `key` by edit distance (case-insensitive), if it is near enough to be a typo. */
function closest(key: string, keys: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of keys) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Throws unless `value` is undefined or an object with every one of `methods` as a function. */
export function assertMethods(name: string, value: unknown, methods: readonly string[], what: string): void {
  if (value === undefined) return;
  const missing =
    typeof value === 'object' && value !== null
      ? methods.filter((method) => typeof (value as Record<string, unknown>)[method] !== 'function')
      : methods;
  if (missing.length === 0) return;
  const got = typeof value === 'object' && value !== null ? `an object without ${missing.join(', ')}` : describeValue(value);
  throw new TypeError(`options.${name} must be ${what}, got ${got}`);
}

/**
 * A security option that is present but `undefined` (or empty) is almost always `tokenSecret:
 * process.env.WS_SECRET` with the variable unset. Reading it as "not set" would turn a check off without a word,
 * so it is refused; leaving the key out is how to say "no check". `what` names the option's kind ("a secret"),
 * `leftOut` what leaving it out does.
 */
export function assertSecretGiven(options: object, name: string, what = 'a secret', leftOut = 'to accept clients without a token'): void {
  if (!Object.hasOwn(options, name)) return;
  const value = (options as Record<string, unknown>)[name];
  if (value === undefined || value === '') {
    throw new TypeError(
      `options.${name} is ${value === '' ? 'an empty string' : 'undefined'}: ${what} was given but has no value ` +
        `(is its environment variable unset?). Set it, or leave the key out ${leftOut}.`,
    );
  }
}
