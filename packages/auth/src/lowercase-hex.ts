const LOWERCASE_HEX = /^[0-9a-f]*$/;

/**
 * True when `value` is exactly `length` characters of lowercase hex. Keys and
 * signatures have one spelling only, so one key cannot become two identities
 * by changing case.
 */
export function isLowercaseHex(value: unknown, length: number): value is string {
  return typeof value === 'string' && value.length === length && LOWERCASE_HEX.test(value);
}
