/** A parsed frame: a plain JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * Parses untrusted text into a JSON object no deeper than `maxDepth`, or returns `undefined`.
 * V8's `JSON.parse` is iterative, so deep input cannot overflow the stack here; the depth check stops it
 * from overflowing later, in any code (ours or the receiver's) that walks or re-serialises it recursively.
 */
export function parseObject(text: string, maxDepth: number): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  // Nesting deeper than maxDepth takes more than maxDepth brackets: most frames are cleared by counting them.
  if (bracketsExceed(text, maxDepth) && depthExceeds(value, maxDepth)) return undefined;
  return value;
}

/** Whether `text` holds more than `limit` opening brackets (indexOf skips ahead natively, so this is cheap). */
function bracketsExceed(text: string, limit: number): boolean {
  let count = 0;
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1)) if (++count > limit) return true;
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1)) if (++count > limit) return true;
  return false;
}

/** A non-null, non-array object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` nests objects or arrays more than `maxDepth` levels deep (the frame itself is level 1). */
function depthExceeds(value: object, maxDepth: number): boolean {
  if (maxDepth < 1) return true;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'object' && item !== null && depthExceeds(item, maxDepth - 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    const item = (value as JsonObject)[key];
    if (typeof item === 'object' && item !== null && depthExceeds(item, maxDepth - 1)) return true;
  }
  return false;
}
