/**
 * Lists the member names of a top-level JSON object in source order,
 * duplicates included. `JSON.parse` silently keeps the last of two equal keys,
 * so `{"v":1,"v":2}` would otherwise pass as one field; a second parser (a
 * proxy, a log pipeline) might keep the first and disagree with us.
 *
 * Only call this on text `JSON.parse` has accepted and whose value is an
 * object: the scanner relies on that to stay small.
 */
export function topLevelKeys(jsonText: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectingKey = false;
  for (let index = 0; index < jsonText.length; index += 1) {
    const character = jsonText[index];
    if (character === '"') {
      const end = closingQuoteIndex(jsonText, index);
      if (depth === 1 && expectingKey) {
        // Decode escapes so "\u0076" and "v" count as the same name.
        keys.push(JSON.parse(jsonText.slice(index, end + 1)) as string);
        expectingKey = false;
      }
      index = end;
    } else if (character === '{' || character === '[') {
      depth += 1;
      if (depth === 1) expectingKey = true;
    } else if (character === '}' || character === ']') {
      depth -= 1;
    } else if (character === ',' && depth === 1) {
      expectingKey = true;
    }
  }
  return keys;
}

function closingQuoteIndex(jsonText: string, openingQuoteIndex: number): number {
  let index = openingQuoteIndex + 1;
  while (index < jsonText.length && jsonText[index] !== '"') {
    // A backslash always escapes exactly the next character in valid JSON.
    index += jsonText[index] === '\\' ? 2 : 1;
  }
  return index;
}
