/**
 * Vectors travel from node to consumer as OpenAI's base64: little-endian
 * float32. Decoded only for a client that asked for numbers.
 */
export function decodeFloat32Base64(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  const values = new Array<number>(bytes.length / 4);
  for (let index = 0; index < values.length; index += 1) {
    values[index] = bytes.readFloatLE(index * 4);
  }
  return values;
}

/** How many float32 values a base64 vector holds, without decoding it. */
export function float32Count(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return ((text.length / 4) * 3 - padding) / 4;
}
