/** Quotes a value for a POSIX shell: single quotes, with any single quote closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The user-data script to paste into a cloud provider: the deploy token sits
 * in an environment variable and travels as a header, never in a URL (URLs
 * end up in proxy and shell-history logs).
 */
export function deployScript({
  origin,
  model,
  token,
}: {
  origin: string;
  model: string;
  token: string;
}): string {
  const url = `${origin}/api/deploy/cloud-init?model=${encodeURIComponent(model)}`;
  return [
    '#!/bin/sh',
    `export INFERNET_BEARER=${shellQuote(token)}`,
    `curl -fsSL -H "Authorization: Bearer $INFERNET_BEARER" ${shellQuote(url)} | sh`,
  ].join('\n');
}
