import { describe, expect, it, vi } from 'vitest';
import type { ReplayStore } from './replay-store';
import { signRequest } from './sign-request';
import { verifyRequest } from './verify-request';

const PRIVATE_KEY = 'b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef';
const CREATED_AT = 1764071995;
const request = { method: 'POST', path: '/api/v1/node/jobs/poll?limit=5', body: '{}' };
const signed = signRequest({ ...request, privateKey: PRIVATE_KEY, createdAt: CREATED_AT });

function spyStore(answer = true): ReplayStore & { remember: ReturnType<typeof vi.fn> } {
  return { remember: vi.fn(async () => answer) };
}

describe('verifyRequest ordering', () => {
  it('reports a stale time before looking at the signature', async () => {
    const result = await verifyRequest({
      header: signed.header,
      request: { ...request, body: 'tampered' },
      now: CREATED_AT + 61,
    });
    expect(result).toMatchObject({ ok: false, reason: 'stale_timestamp' });
  });

  it('does not touch the replay store for a bad signature or a stale time', async () => {
    const replayStore = spyStore();
    await verifyRequest({
      header: signed.header,
      request: { ...request, path: '/other' },
      now: CREATED_AT,
      replayStore,
    });
    await verifyRequest({ header: signed.header, request, now: CREATED_AT - 61, replayStore });
    expect(replayStore.remember).not.toHaveBeenCalled();
  });

  it('stores the pair until one second past the end of the window', async () => {
    const replayStore = spyStore();
    const result = await verifyRequest({
      header: signed.header,
      request,
      now: CREATED_AT,
      windowSeconds: 30,
      replayStore,
    });
    expect(result.ok).toBe(true);
    expect(replayStore.remember).toHaveBeenCalledWith(
      signed.envelope.pubkey,
      signed.envelope.nonce,
      new Date((CREATED_AT + 31) * 1000),
    );
  });

  it('reports replayed_nonce when the store has seen the pair', async () => {
    const result = await verifyRequest({
      header: signed.header,
      request,
      now: CREATED_AT,
      replayStore: spyStore(false),
    });
    expect(result).toMatchObject({ ok: false, reason: 'replayed_nonce' });
  });

  it('lets a failing replay store reject, rather than calling it an auth failure', async () => {
    const replayStore: ReplayStore = {
      remember: async () => {
        throw new Error('database down');
      },
    };
    await expect(
      verifyRequest({ header: signed.header, request, now: CREATED_AT, replayStore }),
    ).rejects.toThrow('database down');
  });
});

describe('verifyRequest clock edges', () => {
  it.each([
    [CREATED_AT - 60, true],
    [CREATED_AT + 60, true],
    [CREATED_AT - 61, false],
    [CREATED_AT + 61, false],
    [Number.NaN, false],
  ])('now = %s → ok %s', async (now, ok) => {
    const result = await verifyRequest({ header: signed.header, request, now });
    expect(result.ok).toBe(ok);
  });
});

describe('verifyRequest on requests no signer could produce', () => {
  it.each([
    ['a path with a newline', { path: '/a\n/b' }],
    ['a method with a space', { method: 'PO ST' }],
  ])('reports %s as bad_signature without throwing', async (_name, override) => {
    const result = await verifyRequest({
      header: signed.header,
      request: { ...request, ...override },
      now: CREATED_AT,
    });
    expect(result).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});
