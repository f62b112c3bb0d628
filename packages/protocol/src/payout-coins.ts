import { z } from 'zod';

/**
 * The coins a provider can be paid out in, with the network each travels on
 * and a check of the address format.
 *
 * The checks are FORMAT checks only: the right prefix, alphabet and length
 * for the network. They catch a pasted address of the wrong chain, a
 * truncated paste or a typo in the prefix; they do not verify checksums
 * (base58check, bech32, EIP-55 mixed case), so an address with one wrong
 * character inside can still pass. Payouts must therefore confirm the
 * address with the wallet owner before a first transfer.
 */

/** The bech32 data alphabet (no 1, b, i, o). */
const BECH32 = '[02-9ac-hj-np-z]';
/** Bitcoin's base58 alphabet (no 0, O, I, l); XRP uses the same characters in another order. */
const BASE58 = '[1-9A-HJ-NP-Za-km-z]';

interface AddressFormat {
  /** What a valid address looks like, for error messages. */
  description: string;
  test(address: string): boolean;
}

const anyOf =
  (...patterns: RegExp[]) =>
  (address: string): boolean =>
    patterns.some((pattern) => pattern.test(address));

/** Legacy base58 P2PKH (`1…`) and P2SH (`3…`). */
const BITCOIN_LEGACY = new RegExp(`^[13]${BASE58}{25,34}$`);
/** Segwit bech32 / taproot bech32m; lower case (all upper case is lowered first). */
const BITCOIN_BECH32 = new RegExp(`^bc1${BECH32}{8,87}$`);

const FORMATS = {
  bitcoin: {
    description: 'a bech32 address (bc1…) or a base58 address (1… or 3…)',
    test: (address: string) =>
      BITCOIN_LEGACY.test(address) || BITCOIN_BECH32.test(lowerIfAllUpper(address)),
  },
  bitcoinCash: {
    description:
      'a cashaddr address (bitcoincash:q… or q…/p…) or a legacy base58 address (1… or 3…)',
    test: (address: string) =>
      new RegExp(`^(bitcoincash:)?[qp]${BECH32}{41}$`).test(lowerIfAllUpper(address)) ||
      BITCOIN_LEGACY.test(address),
  },
  evm: {
    description: '0x followed by 40 hexadecimal characters',
    test: anyOf(/^0x[0-9a-fA-F]{40}$/),
  },
  solana: {
    description: 'a base58 public key of 32 to 44 characters',
    test: anyOf(new RegExp(`^${BASE58}{32,44}$`)),
  },
  xrp: {
    description: 'a classic address: r followed by 24 to 34 base58 characters',
    test: anyOf(new RegExp(`^r${BASE58}{24,34}$`)),
  },
  cardano: {
    description: 'a Shelley mainnet bech32 address (addr1…)',
    test: anyOf(new RegExp(`^addr1${BECH32}{50,110}$`)),
  },
  dogecoin: {
    description: 'a base58 address of 34 characters starting with D',
    test: anyOf(new RegExp(`^D${BASE58}{33}$`)),
  },
} as const satisfies Record<string, AddressFormat>;

function lowerIfAllUpper(address: string): string {
  return address === address.toUpperCase() ? address.toLowerCase() : address;
}

export interface PayoutCoin {
  /** The id used on the wire and on the command line, e.g. `USDC_BASE`. */
  id: string;
  /** The asset, e.g. `USDC`. */
  asset: string;
  /** The network the asset is paid on, e.g. `Base`. */
  network: string;
  /** What a valid address looks like. */
  addressFormat: string;
  /** A format check (see the module comment): not a checksum verification. */
  isAddress(address: string): boolean;
}

function coin(id: string, asset: string, network: string, format: AddressFormat): PayoutCoin {
  return { id, asset, network, addressFormat: format.description, isAddress: format.test };
}

/**
 * The canonical list (the seed README's "Multi-coin payments"): BTC, BCH,
 * ETH, SOL, POL, BNB, XRP, ADA, DOGE; USDT on Ethereum, Polygon and Solana;
 * USDC on Ethereum, Polygon, Solana and Base.
 */
export const PAYOUT_COINS: readonly PayoutCoin[] = [
  coin('BTC', 'BTC', 'Bitcoin', FORMATS.bitcoin),
  coin('BCH', 'BCH', 'Bitcoin Cash', FORMATS.bitcoinCash),
  coin('ETH', 'ETH', 'Ethereum', FORMATS.evm),
  coin('SOL', 'SOL', 'Solana', FORMATS.solana),
  coin('POL', 'POL', 'Polygon', FORMATS.evm),
  coin('BNB', 'BNB', 'BNB Smart Chain', FORMATS.evm),
  coin('XRP', 'XRP', 'XRP Ledger', FORMATS.xrp),
  coin('ADA', 'ADA', 'Cardano', FORMATS.cardano),
  coin('DOGE', 'DOGE', 'Dogecoin', FORMATS.dogecoin),
  coin('USDT_ETH', 'USDT', 'Ethereum', FORMATS.evm),
  coin('USDT_POLYGON', 'USDT', 'Polygon', FORMATS.evm),
  coin('USDT_SOLANA', 'USDT', 'Solana', FORMATS.solana),
  coin('USDC_ETH', 'USDC', 'Ethereum', FORMATS.evm),
  coin('USDC_POLYGON', 'USDC', 'Polygon', FORMATS.evm),
  coin('USDC_SOLANA', 'USDC', 'Solana', FORMATS.solana),
  coin('USDC_BASE', 'USDC', 'Base', FORMATS.evm),
];

export const PAYOUT_COIN_IDS: readonly string[] = PAYOUT_COINS.map((entry) => entry.id);

/** `usdc-base` and ` USDC_BASE ` both name USDC_BASE. */
export function normalizeCoinId(value: string): string {
  return value.trim().toUpperCase().replaceAll('-', '_');
}

export function findPayoutCoin(value: string): PayoutCoin | undefined {
  const id = normalizeCoinId(value);
  return PAYOUT_COINS.find((entry) => entry.id === id);
}

export type PayoutCheck =
  | { ok: true; coin: string; address: string }
  | { ok: false; field: 'coin' | 'address'; message: string };

/** Checks a coin id and an address for it; the failure message says what is accepted. */
export function checkPayoutAddress(coinId: string, address: string): PayoutCheck {
  const found = findPayoutCoin(coinId);
  if (!found) {
    return {
      ok: false,
      field: 'coin',
      message: `unknown coin "${coinId.trim()}"; accepted coins: ${PAYOUT_COIN_IDS.join(', ')}`,
    };
  }
  const trimmed = address.trim();
  if (!found.isAddress(trimmed)) {
    return {
      ok: false,
      field: 'address',
      message: `not a ${found.id} (${found.network}) address; expected ${found.addressFormat}`,
    };
  }
  return { ok: true, coin: found.id, address: trimmed };
}

/** The longest address accepted by any format above, with room to spare. */
const MAX_ADDRESS_LENGTH = 128;

export const SetPayoutRequestSchema = z
  .object({
    coin: z.string().min(1).max(32),
    address: z.string().min(1).max(MAX_ADDRESS_LENGTH),
  })
  .transform((body, context) => {
    const check = checkPayoutAddress(body.coin, body.address);
    if (!check.ok) {
      context.addIssue({ code: 'custom', path: [check.field], message: check.message });
      return z.NEVER;
    }
    return { coin: check.coin, address: check.address };
  });
export type SetPayoutRequest = z.input<typeof SetPayoutRequestSchema>;

export const PayoutRowSchema = z.object({
  coin: z.string(),
  network: z.string(),
  address: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type PayoutRow = z.infer<typeof PayoutRowSchema>;

export const SetPayoutResponseSchema = z.object({ payout: PayoutRowSchema });
export const ListPayoutsResponseSchema = z.object({ payouts: z.array(PayoutRowSchema) });

/** How many recent earnings `payments/list` returns at most. */
export const MAX_PAYMENTS_LIMIT = 200;

export const ListPaymentsRequestSchema = z.object({
  limit: z.number().int().min(1).max(MAX_PAYMENTS_LIMIT).default(50),
});

export const PaymentEntrySchema = z.object({
  job_id: z.string(),
  kind: z.string(),
  /** Exact decimal text, in the unit of the server's prices. */
  amount: z.string(),
  created_at: z.string(),
});
export type PaymentEntry = z.infer<typeof PaymentEntrySchema>;

export const ListPaymentsResponseSchema = z.object({
  /** The sum of every earning so far, exact decimal text. */
  balance: z.string(),
  /** The most recent earnings first. */
  payments: z.array(PaymentEntrySchema),
});
export type ListPaymentsResponse = z.infer<typeof ListPaymentsResponseSchema>;
