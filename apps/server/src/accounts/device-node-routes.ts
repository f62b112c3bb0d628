import type { Hono } from 'hono';
import {
  DEVICE_CODE_TTL_SECONDS,
  DEVICE_POLL_INTERVAL_SECONDS,
  DeviceCodeRequestSchema,
  DeviceTokenRequestSchema,
  InfernetError,
  formatUserCode,
} from '@infernet/protocol';
import type { DeviceCodeRecord } from '@infernet/db';
import type { AppEnv, ServerDependencies } from '../context';
import { signedBody } from '../routes/signed-body';
import { createDeviceCode, createUserCode, hashDeviceCode } from './device-code-secret';
import { publicBaseUrl } from './public-base-url';

/** A fresh user code collides with a stored one about once in 10^10 draws; three draws suffice. */
const USER_CODE_ATTEMPTS = 3;

/** The answer to a poll for a code that is not approved: why, and what the node does next. */
function refusal(code: DeviceCodeRecord, now: number): InfernetError {
  if (code.status === 'denied') {
    return new InfernetError('DEVICE_CODE_DENIED', 'The operator denied this sign-in request.');
  }
  if (code.expiresAt.getTime() <= now) {
    return new InfernetError(
      'DEVICE_CODE_EXPIRED',
      'Nobody approved this sign-in request in time; ask for a new code.',
    );
  }
  return new InfernetError(
    'DEVICE_CODE_PENDING',
    'Waiting for the operator to approve this request in the browser; poll again.',
    { details: { retry_after_seconds: DEVICE_POLL_INTERVAL_SECONDS } },
  );
}

/**
 * The node's side of device sign-in, on the signed `/api/nodes` routes (the
 * node key signs every call, so only the node that asked can poll): ask for
 * a code, then poll with it until the operator decides.
 */
export function addDeviceNodeRoutes(routes: Hono<AppEnv>, dependencies: ServerDependencies) {
  const { db } = dependencies;

  routes.post('/device-code', async (context) => {
    signedBody(context, DeviceCodeRequestSchema);
    const provider = await db.providers.findByPublicKey(context.get('publicKey'));
    if (!provider) {
      throw new InfernetError('NODE_NOT_REGISTERED', 'Register the node before signing it in.');
    }
    const { deviceCode, hash } = createDeviceCode();
    const createdAt = new Date(dependencies.now());
    const expiresAt = new Date(createdAt.getTime() + DEVICE_CODE_TTL_SECONDS * 1000);
    let created: DeviceCodeRecord | null = null;
    for (let attempt = 0; !created && attempt < USER_CODE_ATTEMPTS; attempt += 1) {
      const userCode = createUserCode();
      created = await db.deviceCodes.create({
        providerId: provider.id,
        deviceCodeHash: hash,
        userCode,
        createdAt,
        expiresAt,
      });
    }
    if (!created) throw new Error('no free user code after several draws');
    const userCode = formatUserCode(created.userCode);
    const verificationUri = `${publicBaseUrl(dependencies, context)}/device`;
    context.header('Cache-Control', 'no-store');
    return context.json({
      data: {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?code=${userCode}`,
        expires_in: DEVICE_CODE_TTL_SECONDS,
        interval: DEVICE_POLL_INTERVAL_SECONDS,
      },
    });
  });

  routes.post('/device-token', async (context) => {
    const { device_code: deviceCode } = signedBody(context, DeviceTokenRequestSchema);
    const code = await db.deviceCodes.findByDeviceCode(hashDeviceCode(deviceCode));
    // Another node's code is answered as an unknown one: it learns nothing about it.
    if (!code || code.publicKey !== context.get('publicKey')) {
      throw new InfernetError('NOT_FOUND', 'This node has no such device code; ask for a new one.');
    }
    if (code.status !== 'approved' || !code.accountId) throw refusal(code, dependencies.now());
    return context.json({ data: { id: code.providerId, account_id: code.accountId } });
  });
}
