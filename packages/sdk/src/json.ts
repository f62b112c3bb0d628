const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses JSON without throwing, refusing prototype-poisoning keys the way
 * protocol's `parseJson` does. Used for error bodies only: a broken or
 * foreign error body must still become an `ApiError` rather than a parse error.
 */
export function parseJsonLeniently(text: string): unknown {
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`forbidden key "${key}"`);
      return value;
    });
  } catch {
    return undefined;
  }
}
