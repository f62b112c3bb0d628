import type { ChatMeta, ChatUsage } from '@infernetprotocol/sdk';
import type { ChatFailure } from '@/lib/describe-chat-failure';

/** Where one answer is in its life, as the playground shows it. */
export type AnswerPhase = 'sending' | 'queued' | 'streaming' | 'done' | 'failed';

export interface QueuePlace {
  position: number;
  expectedWaitSeconds: number | null;
}

export interface UserTurn {
  role: 'user';
  id: number;
  content: string;
}

export interface AssistantTurn {
  role: 'assistant';
  id: number;
  content: string;
  phase: AnswerPhase;
  model: string | undefined;
  meta: ChatMeta | undefined;
  queue: QueuePlace | undefined;
  usage: ChatUsage | undefined;
  failure: ChatFailure | undefined;
  startedAt: number;
  /** When the first token arrived and when the answer ended, for the speed shown under it. */
  firstTokenAt: number | undefined;
  finishedAt: number | undefined;
}

export type Turn = UserTurn | AssistantTurn;

/** The messages to send: every user turn and every answer that produced text. */
export function conversationMessages(turns: readonly Turn[], limit: number) {
  const messages = turns
    .filter((turn) => turn.role === 'user' || turn.content.length > 0)
    .map((turn) => ({ role: turn.role, content: turn.content }));
  return messages.slice(-limit);
}
