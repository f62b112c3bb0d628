import { Hono } from 'hono';
import {
  DeviceApproveRequestSchema,
  InfernetError,
  UserCodeSchema,
  formatUserCode,
  parseJson,
  parseValue,
} from '@infernet/protocol';
import type { DeviceCodeRecord } from '@infernet/db';
import type { AppEnv, ServerDependencies } from '../context';
import { requireSession } from './caller';

function isExpired(code: DeviceCodeRecord, now: number): boolean {
  return code.status === 'pending' && code.expiresAt.getTime() <= now;
}

function notFound(): InfernetError {
  return new InfernetError(
    'NOT_FOUND',
    'No sign-in request has this code; check the code shown by the node.',
  );
}

/**
 * The operator's side of device sign-in (mounted under `/api/device`): see
 * which node asks, then approve (linking it to the signed-in account) or
 * deny it with an explicit choice.
 */
export function deviceRoutes(dependencies: ServerDependencies) {
  const { db } = dependencies;
  const routes = new Hono<AppEnv>();

  routes.get('/:userCode', async (context) => {
    await requireSession(dependencies, context);
    const userCode = parseValue(context.req.param('userCode'), UserCodeSchema);
    const code = await db.deviceCodes.findByUserCode(userCode);
    if (!code) throw notFound();
    return context.json({
      data: {
        user_code: formatUserCode(code.userCode),
        node_id: code.nodeId,
        node_name: code.nodeName,
        public_key: code.publicKey,
        requested_at: code.createdAt.toISOString(),
        expires_at: code.expiresAt.toISOString(),
        status: isExpired(code, dependencies.now()) ? 'expired' : code.status,
      },
    });
  });

  routes.post('/approve', async (context) => {
    const { accountId } = await requireSession(dependencies, context);
    const request = parseJson(await context.req.text(), DeviceApproveRequestSchema);
    const code = await db.deviceCodes.findByUserCode(request.user_code);
    if (!code) throw notFound();
    const decision = request.approve ? 'approved' : 'denied';
    // A second click with the same answer gets the same reply.
    if (code.status === decision && code.accountId === accountId) {
      return context.json({ data: { status: decision, node_id: code.nodeId } });
    }
    if (code.status !== 'pending') {
      throw new InfernetError('DEVICE_CODE_DECIDED', 'This sign-in request was answered already.');
    }
    if (isExpired(code, dependencies.now())) {
      throw new InfernetError(
        'DEVICE_CODE_EXPIRED',
        'This sign-in request expired; run `infernet login` on the node again.',
      );
    }
    if (request.approve) {
      // Linked before the code says approved, so a node never hears "approved" without the link.
      const linked = await db.accounts.linkProvider(code.publicKey, accountId);
      if (!linked.ok) {
        throw linked.reason === 'not_registered'
          ? new InfernetError('NODE_NOT_REGISTERED', 'This node was removed; register it again.')
          : new InfernetError('FORBIDDEN', 'This node is linked to another account.');
      }
    }
    const decided = await db.deviceCodes.decide({
      userCode: code.userCode,
      accountId,
      approve: request.approve,
      now: new Date(dependencies.now()),
    });
    if (!decided) {
      throw new InfernetError('DEVICE_CODE_DECIDED', 'This sign-in request was answered already.');
    }
    return context.json({ data: { status: decision, node_id: code.nodeId } });
  });

  return routes;
}
