import { Hono, type Context } from 'hono';
import type { PayoutRecord, ProviderRecord } from '@infernet/db';
import { providerAccount } from '@infernet/db';
import {
  InfernetError,
  ListPaymentsRequestSchema,
  RoleOnlyRequestSchema,
  SetPayoutRequestSchema,
  findPayoutCoin,
  type PayoutRow,
} from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { signedBody } from './signed-body';
import { nodeAuth } from '../middleware/node-auth';
import { limitNodeKeys } from '../middleware/node-limits';

function toPayoutRow(record: PayoutRecord): PayoutRow {
  return {
    coin: record.coin,
    network: findPayoutCoin(record.coin)?.network ?? 'unknown',
    address: record.address,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  };
}

/**
 * The signed routes of a node's money: where it is paid (`payouts/set`,
 * `payouts/list`) and what it earned (`payments/list`, from the ledger).
 *
 * The signature check is attached to each route rather than to `*`: these
 * routes are mounted under `/api/v1/node` before `nodeRoutes`, whose own `*`
 * middleware would otherwise see the same request, and a second check of
 * one envelope is refused as a replayed nonce. A route here answers without
 * calling `next`, so `nodeRoutes`' middleware never runs for it.
 */
export function nodePayoutRoutes(dependencies: ServerDependencies) {
  const { db } = dependencies;
  const routes = new Hono<AppEnv>();
  const signed = [nodeAuth(dependencies), limitNodeKeys(dependencies.limits)] as const;

  async function requireProvider(context: Context<AppEnv>): Promise<ProviderRecord> {
    const provider = await db.providers.findByPublicKey(context.get('publicKey'));
    if (!provider) {
      throw new InfernetError(
        'NODE_NOT_REGISTERED',
        'This key has no node registered; call register first (`infernet register`).',
      );
    }
    return provider;
  }

  routes.post('/payouts/set', ...signed, async (context) => {
    const body = signedBody(context, SetPayoutRequestSchema);
    const provider = await requireProvider(context);
    const record = await db.payouts.set({ providerId: provider.id, ...body });
    return context.json({ data: { payout: toPayoutRow(record) } });
  });

  routes.post('/payouts/list', ...signed, async (context) => {
    signedBody(context, RoleOnlyRequestSchema);
    const provider = await requireProvider(context);
    const records = await db.payouts.list(provider.id);
    return context.json({ data: { payouts: records.map(toPayoutRow) } });
  });

  routes.post('/payments/list', ...signed, async (context) => {
    const { limit } = signedBody(context, ListPaymentsRequestSchema);
    const provider = await requireProvider(context);
    const account = providerAccount(provider.id);
    const [balance, entries] = await Promise.all([
      db.ledger.balance(account),
      db.ledger.recentEntries(account, limit),
    ]);
    return context.json({
      data: {
        balance,
        payments: entries.map((entry) => ({
          job_id: entry.jobId,
          kind: entry.kind,
          amount: entry.amount,
          created_at: entry.createdAt.toISOString(),
        })),
      },
    });
  });

  return routes;
}
