import { describe, expect, it } from 'vitest';
import { ReleaseResponseSchema, dataEnvelope } from './node-api';

describe('dataEnvelope', () => {
  it('wraps a schema as `{ data }` and refuses an answer without it', () => {
    const envelope = dataEnvelope(ReleaseResponseSchema);
    expect(envelope.parse({ data: { id: 'j1', status: 'queued' } })).toEqual({
      data: { id: 'j1', status: 'queued' },
    });
    expect(envelope.safeParse({ id: 'j1', status: 'queued' }).success).toBe(false);
  });

  it('hands back the same envelope for the same schema, so zod compiles it once', () => {
    expect(dataEnvelope(ReleaseResponseSchema)).toBe(dataEnvelope(ReleaseResponseSchema));
  });
});
