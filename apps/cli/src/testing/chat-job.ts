import type { ChatNodeJob } from '@infernet/protocol';

/** Test support only: a claimed chat job as `jobs/poll` hands it out. */
export function claimedChatJob(overrides: Partial<ChatNodeJob> = {}): ChatNodeJob {
  return {
    id: 'job-1',
    title: 'chat · demo',
    type: 'chat',
    status: 'assigned',
    payment_offer: 0,
    payment_coin: null,
    model_name: 'demo',
    input_spec: {
      messages: [{ role: 'user', content: 'a secret prompt' }],
      max_tokens: 16,
      temperature: 0.2,
    },
    created_at: '2026-03-01T12:00:00Z',
    fencing_token: 7,
    lease_expires_at: '2026-03-01T12:00:30Z',
    attempt: 1,
    ...overrides,
  };
}
