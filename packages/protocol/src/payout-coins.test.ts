import { describe, expect, it } from 'vitest';
import {
  PAYOUT_COINS,
  PAYOUT_COIN_IDS,
  SetPayoutRequestSchema,
  checkPayoutAddress,
  findPayoutCoin,
} from './payout-coins';

/** Well-formed sample addresses per coin (public examples; formats only). */
const VALID: Record<string, string[]> = {
  BTC: [
    '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
    '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
    'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
    'BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ',
    'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297',
  ],
  BCH: [
    'bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a',
    'qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a',
    '1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu',
  ],
  ETH: ['0x52908400098527886E0F7030069857D2E4169EE7', '0xde709f2102306220921060314715629080e2fb77'],
  SOL: ['7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV', '11111111111111111111111111111111'],
  XRP: ['rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh', 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe'],
  ADA: [
    'addr1qx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wktcd8cc3sq835lu7drv2xwl2wywfgse35a3x',
  ],
  DOGE: ['DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L'],
};

const INVALID: Record<string, string[]> = {
  BTC: [
    '0x52908400098527886E0F7030069857D2E4169EE7',
    'bc1',
    '1O0IlA1zP1eP5QGefi2DMPTfTL5SLmv7D',
    '',
  ],
  BCH: ['bitcoincash:qpm2qsznhks', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'],
  ETH: [
    '0x1234',
    '52908400098527886E0F7030069857D2E4169EE7',
    '0x52908400098527886E0F7030069857D2E4169EEG',
  ],
  SOL: ['0x52908400098527886E0F7030069857D2E4169EE7', 'short'],
  XRP: ['xHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh', 'r0b9CJAWyB4rj91VRWn96DkukG4bwdtyTh'],
  ADA: ['addr_test1qx2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzer3n0d3vllmyqwsx5wkt', 'addr1short'],
  DOGE: ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', 'DH5yaieqoZN36fDVciNyRueRGvGLR3mr7'],
};

describe('payout coins', () => {
  it('lists the seed’s coins, each with a network', () => {
    expect(PAYOUT_COIN_IDS).toEqual([
      'BTC',
      'BCH',
      'ETH',
      'SOL',
      'POL',
      'BNB',
      'XRP',
      'ADA',
      'DOGE',
      'USDT_ETH',
      'USDT_POLYGON',
      'USDT_SOLANA',
      'USDC_ETH',
      'USDC_POLYGON',
      'USDC_SOLANA',
      'USDC_BASE',
    ]);
    for (const coin of PAYOUT_COINS) expect(coin.network).not.toBe('');
  });

  it('accepts well-formed addresses and refuses malformed ones', () => {
    for (const [id, addresses] of Object.entries(VALID)) {
      for (const address of addresses)
        expect(checkPayoutAddress(id, address), `${id} ${address}`).toMatchObject({ ok: true });
    }
    for (const [id, addresses] of Object.entries(INVALID)) {
      for (const address of addresses)
        expect(checkPayoutAddress(id, address), `${id} ${address}`).toMatchObject({
          ok: false,
          field: 'address',
        });
    }
  });

  it('checks tokens by their network: EVM tokens take 0x addresses, Solana tokens base58', () => {
    expect(checkPayoutAddress('USDC_BASE', VALID.ETH![0]!).ok).toBe(true);
    expect(checkPayoutAddress('USDT_SOLANA', VALID.SOL![0]!).ok).toBe(true);
    expect(checkPayoutAddress('USDT_SOLANA', VALID.ETH![0]!).ok).toBe(false);
  });

  it('finds coins by any case and with dashes, and names the accepted coins otherwise', () => {
    expect(findPayoutCoin(' usdc-base ')?.id).toBe('USDC_BASE');
    const unknown = checkPayoutAddress('LTC', 'x');
    expect(unknown).toMatchObject({ ok: false, field: 'coin' });
    if (!unknown.ok) expect(unknown.message).toContain(PAYOUT_COIN_IDS.join(', '));
  });

  it('parses a set request into the canonical coin id and trimmed address', () => {
    expect(SetPayoutRequestSchema.parse({ coin: 'eth', address: ` ${VALID.ETH![0]} ` })).toEqual({
      coin: 'ETH',
      address: VALID.ETH![0],
    });
    const failed = SetPayoutRequestSchema.safeParse({ coin: 'ETH', address: '0x12' });
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]?.path).toEqual(['address']);
  });
});
