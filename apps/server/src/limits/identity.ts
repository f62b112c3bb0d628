/**
 * Who a limit counts: one string per client, such as `ip:203.0.113.7`,
 * `ip:2001:db8:1:2::/64`, `node:<public key hex>` or `key:<API key id>`. The
 * prefix keeps the kinds apart and tells the refusal message what to name.
 */
export type Identity = `ip:${string}` | `node:${string}` | `key:${string}`;

/** An address as `clientAddress` returns it (already normalised), or unknown. */
export function addressIdentity(address: string | undefined): Identity {
  return `ip:${address ?? 'unknown'}`;
}

/** A node, by the public key its request was verifiably signed with. */
export function nodeIdentity(publicKey: string): Identity {
  return `node:${publicKey}`;
}

/**
 * A consumer's API key, by its id (never the secret). Accounts set this as
 * the `consumerIdentity` context variable, and consumer limits then count
 * the key instead of the address.
 */
export function apiKeyIdentity(keyId: string): Identity {
  return `key:${keyId}`;
}

/** How a refusal names the client, e.g. "from this address". */
export function describeIdentity(identity: Identity): string {
  if (identity.startsWith('node:')) return 'for this node key';
  if (identity.startsWith('key:')) return 'for this API key';
  return 'from this address';
}
