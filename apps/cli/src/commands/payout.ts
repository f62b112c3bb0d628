import type { Command } from 'commander';
import {
  MAX_PAYMENTS_LIMIT,
  PAYOUT_COINS,
  PAYOUT_COIN_IDS,
  checkPayoutAddress,
} from '@infernet/protocol';
import { EXIT_OK, UsageError } from '../cli-error';
import { loadConfig, requireIdentity, type CommandContext, type SharedFlags } from '../context';
import { explainError } from '../explain-error';
import { formatTable } from '../output';
import type { RecordExitCode } from './lifecycle-commands';

export interface PayoutFlags extends SharedFlags {
  json?: boolean;
}

export interface PaymentsFlags extends PayoutFlags {
  limit?: string;
}

const ACCEPTED_COINS = `Accepted coins: ${PAYOUT_COIN_IDS.join(', ')} (see \`infernet payout coins\`).`;

/** `payout set <COIN> <ADDRESS>`: checked here first, so a typo never costs a round trip. */
export async function payoutSetCommand(
  context: CommandContext,
  coin: string,
  address: string,
  flags: PayoutFlags,
): Promise<number> {
  const check = checkPayoutAddress(coin, address);
  if (!check.ok) {
    throw new UsageError(
      check.field === 'coin'
        ? `Unknown coin "${coin}". ${ACCEPTED_COINS}`
        : `${capitalise(check.message)}. Check the address (and that it is for this network) and retry.`,
    );
  }
  const config = requireIdentity(loadConfig(context, flags));
  const { payout } = await context
    .createNodeClient(config)
    .setPayout({ coin: check.coin, address: check.address })
    .catch((error: unknown) => {
      throw explainError(error, config);
    });
  if (flags.json) {
    context.output.json(payout);
  } else {
    context.output.line(`Payouts in ${payout.coin} (${payout.network}) go to ${payout.address}.`);
    context.output.line(
      'Only the format was checked: make sure this is an address you control before earning.',
    );
  }
  return EXIT_OK;
}

export async function payoutListCommand(
  context: CommandContext,
  flags: PayoutFlags,
): Promise<number> {
  const config = requireIdentity(loadConfig(context, flags));
  const { payouts } = await context
    .createNodeClient(config)
    .listPayouts()
    .catch((error: unknown) => {
      throw explainError(error, config);
    });
  if (flags.json) {
    context.output.json({ payouts });
  } else if (payouts.length === 0) {
    context.output.line(
      'No payout address yet: set one with `infernet payout set <COIN> <ADDRESS>`.',
    );
    context.output.line(ACCEPTED_COINS);
  } else {
    context.output.line(
      formatTable(
        ['Coin', 'Network', 'Address', 'Updated'],
        payouts.map((row) => [row.coin, row.network, row.address, row.updated_at]),
      ),
    );
  }
  return EXIT_OK;
}

export async function payoutCoinsCommand(
  context: CommandContext,
  flags: { json?: boolean },
): Promise<number> {
  if (flags.json) {
    context.output.json({
      coins: PAYOUT_COINS.map(({ id, asset, network, addressFormat }) => ({
        id,
        asset,
        network,
        address_format: addressFormat,
      })),
    });
  } else {
    context.output.line(
      formatTable(
        ['Coin', 'Network', 'Address format'],
        PAYOUT_COINS.map((coin) => [coin.id, coin.network, coin.addressFormat]),
      ),
    );
  }
  return EXIT_OK;
}

export async function paymentsCommand(
  context: CommandContext,
  flags: PaymentsFlags,
): Promise<number> {
  const limit = flags.limit === undefined ? undefined : Number(flags.limit);
  if (
    limit !== undefined &&
    (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAYMENTS_LIMIT)
  ) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_PAYMENTS_LIMIT}.`);
  }
  const config = requireIdentity(loadConfig(context, flags));
  const result = await context
    .createNodeClient(config)
    .listPayments(limit === undefined ? {} : { limit })
    .catch((error: unknown) => {
      throw explainError(error, config);
    });
  if (flags.json) {
    context.output.json(result);
    return EXIT_OK;
  }
  context.output.line(`Balance: ${result.balance}`);
  if (result.payments.length === 0) {
    context.output.line('No earnings yet: they appear here as this node completes jobs.');
  } else {
    context.output.line(
      formatTable(
        ['Time', 'Job', 'Amount'],
        result.payments.map((entry) => [entry.created_at, entry.job_id, entry.amount]),
      ),
    );
  }
  return EXIT_OK;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `payout set|list|coins` and `payments`. */
export function addPaymentCommands(
  program: Command,
  options: {
    context: CommandContext;
    record: RecordExitCode;
    withControlPlane: (command: Command) => Command;
  },
): void {
  const { context, record, withControlPlane } = options;
  const payout = program
    .command('payout')
    .description('manage where this node is paid (set, list, coins)');
  withControlPlane(
    payout
      .command('set')
      .description('set the payout address for a coin, replacing the earlier one')
      .argument('<coin>', `one of ${PAYOUT_COIN_IDS.join(', ')}`)
      .argument('<address>', 'a wallet address on that coin’s network'),
  )
    .option('--json', 'print JSON')
    .action(
      record(async (coin: string, address: string, flags: PayoutFlags) =>
        payoutSetCommand(context, coin, address, flags),
      ),
    );
  withControlPlane(payout.command('list').description('list this node’s payout addresses'))
    .option('--json', 'print JSON')
    .action(record(async (flags: PayoutFlags) => payoutListCommand(context, flags)));
  payout
    .command('coins')
    .description('list the accepted coins and their address formats')
    .option('--json', 'print JSON')
    .action(record(async (flags: { json?: boolean }) => payoutCoinsCommand(context, flags)));

  withControlPlane(
    program.command('payments').description('show this node’s recent earnings and its balance'),
  )
    .option('--limit <n>', `how many recent earnings to show, 1–${MAX_PAYMENTS_LIMIT} (default 50)`)
    .option('--json', 'print JSON')
    .action(record(async (flags: PaymentsFlags) => paymentsCommand(context, flags)));
}
