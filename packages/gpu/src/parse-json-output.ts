/**
 * Parses the JSON a local tool printed. Tools sometimes print warnings
 * before the document (rocm-smi does), so parsing starts at the first `{`.
 * The output comes from a program on this machine, and we only read fields
 * from the result, never merge it into other objects.
 */
export function parseJsonOutput(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const value: unknown = JSON.parse(text.slice(start));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
