import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';
import { nodeIdentity } from '../limits/identity';
import type { Limits } from '../limits/limits';

/** Job writes: a busy node sends one per job every 50 ms, so they are counted in memory. */
const JOB_WRITE_PATH = /\/jobs\/[^/]+\/(events|complete|release)$/;

/**
 * Before the signature check: a flood guard per address, counted in this
 * copy's memory so that it costs no round trip and no signature
 * verification is spent on a flood.
 */
export function limitNodeAddresses(limits: Limits): MiddlewareHandler<AppEnv> {
  return async function limitNodeAddressesMiddleware(context, next) {
    await limits.rates.consume('nodeAddressRequests', limits.addressOf(context));
    await next();
  };
}

/**
 * After the signature check, per verified node key: job writes in memory,
 * everything else (register, heartbeat, me, remove, poll) in the shared
 * store. Registrations are also counted per address, since anyone can make
 * new keys. A request authorised without a node key has only the address
 * limit above.
 */
export function limitNodeKeys(limits: Limits): MiddlewareHandler<AppEnv> {
  return async function limitNodeKeysMiddleware(context, next) {
    const publicKey = context.get('publicKey') as string | undefined;
    const path = context.req.path;
    if (publicKey) {
      const name = JOB_WRITE_PATH.test(path) ? 'nodeJobWrites' : 'nodeRequests';
      await limits.rates.consume(name, nodeIdentity(publicKey));
    }
    if (path.endsWith('/register')) {
      await limits.rates.consume('nodeRegistrations', limits.addressOf(context));
    }
    await next();
  };
}
