import { describe, expect, it } from 'vitest';
import { claimedChatJob } from '../testing/chat-job';
import { JobHandle } from './job-handle';

describe('JobHandle', () => {
  it('aborts its signal on the first stop and keeps the first reason', () => {
    const handle = new JobHandle(claimedChatJob({ fencing_token: 3 }), 0);
    expect(handle.fencingToken).toBe(3);
    expect(handle.signal.aborted).toBe(false);
    handle.withdraw('LEASE_LOST');
    handle.withdraw('JOB_CANCELLED');
    handle.handBack();
    expect(handle.signal.aborted).toBe(true);
    expect(handle.stop).toEqual({ kind: 'withdrawn', reason: 'LEASE_LOST' });
  });

  it('lets a withdrawal override a hand-back: a job that is not ours cannot be handed back', () => {
    const handle = new JobHandle(claimedChatJob(), 0);
    handle.handBack();
    expect(handle.stop).toEqual({ kind: 'handed-back' });
    expect(handle.withdrawn).toBe(false);
    handle.withdraw('JOB_STATE_CONFLICT');
    expect(handle.stop).toEqual({ kind: 'withdrawn', reason: 'JOB_STATE_CONFLICT' });
    expect(handle.withdrawn).toBe(true);
  });
});
