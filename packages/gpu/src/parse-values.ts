/**
 * Reads a number out of tool output such as "81559", "81559 MiB", "71.41 W"
 * or "40 C". Placeholders like "[N/A]", "N/A" and "[Not Supported]" give undefined.
 */
export function parseMeasurement(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(-?\d+(?:\.\d+)?)/.exec(text);
  if (!match?.[1]) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : undefined;
}

/** A trimmed string, or undefined for empty text and the tools' "not available" placeholders. */
export function parseText(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  if (!trimmed || /^\[?(N\/A|Not Supported|Unknown Error)\]?$/i.test(trimmed)) return undefined;
  return trimmed;
}

/** Sizes as macOS prints them ("64 GB", "1536 MB") in MiB. */
export function parseSizeToMegabytes(text: string | undefined): number | undefined {
  const match = text === undefined ? null : /^\s*(\d+(?:\.\d+)?)\s*(TB|GB|MB)\b/i.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  const factor = { TB: 1024 * 1024, GB: 1024, MB: 1 }[match[2].toUpperCase() as 'TB' | 'GB' | 'MB'];
  return Math.round(Number(match[1]) * factor);
}

/** Keeps only the optional fields that have a value, so results compare cleanly. */
export function definedOnly<Value extends object>(value: Value): Value {
  return Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== undefined),
  ) as Value;
}
