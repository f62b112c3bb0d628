/**
 * Reads a parameter count as engines print it: Ollama's `"3.2B"`, `"567M"`
 * or `"70.6B"`. Undefined for anything else.
 *
 * @example
 * parseParameterCount('3.2B'); // 3_200_000_000
 */
export function parseParameterCount(text: string | undefined): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMBT])\s*$/i.exec(text ?? '');
  if (!match) return undefined;
  const scale = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 }[
    match[2]!.toUpperCase() as 'K' | 'M' | 'B' | 'T'
  ];
  return Math.round(Number(match[1]) * scale);
}
