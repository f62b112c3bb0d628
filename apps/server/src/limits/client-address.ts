import { isIPv4, isIPv6 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** The eight 16-bit groups of an IPv6 address, `::` expanded (an embedded IPv4 tail counts as two). */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  const width = (groups: string[]) =>
    groups.reduce((sum, group) => sum + (group.includes('.') ? 2 : 1), 0);
  const headGroups = split(head);
  const tailGroups = tail === undefined ? [] : split(tail);
  const missing = 8 - width(headGroups) - width(tailGroups);
  return [...headGroups, ...Array.from({ length: missing }, () => '0'), ...tailGroups];
}

/**
 * One string per client: IPv4 addresses as they are (IPv4-mapped IPv6
 * included), IPv6 addresses as their /64 network, because one host is
 * usually handed a whole /64 and could otherwise change address per request.
 * Anything else is not an address: undefined.
 */
export function normaliseAddress(raw: string | undefined): string | undefined {
  const address = raw?.trim().replace(/%.*$/, '');
  if (!address) return undefined;
  const mapped = IPV4_MAPPED.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return undefined;
  const network = ipv6Groups(address)
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16));
  return `${network.join(':')}::/64`;
}

function socketAddress(context: Context): string | undefined {
  try {
    return getConnInfo(context).remote.address;
  } catch {
    // No Node socket behind this request (in-process `app.request`, another runtime).
    return undefined;
  }
}

/**
 * The client's address for limits. The socket's peer, unless
 * `trustedProxies` proxies stand in front of the server: each appends the
 * address it was connected from to X-Forwarded-For, so the client is the
 * entry that many places from the end; anything further left was written by
 * the client itself and could be anything. Without trusted proxies the
 * header is ignored, so a client cannot pick its own identity.
 */
export function clientAddress(context: Context, trustedProxies: number): string | undefined {
  const peer = normaliseAddress(socketAddress(context));
  if (trustedProxies === 0) return peer;
  const forwarded = (context.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (forwarded.length === 0) return peer;
  const entry = forwarded[Math.max(0, forwarded.length - trustedProxies)];
  return normaliseAddress(entry) ?? peer;
}
