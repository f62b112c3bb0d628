import type { ChatMessage } from '@infernet/protocol';

/** Whitespace-separated words across all messages: the stub engine's stand-in for a tokenizer. */
export function countWords(messages: readonly ChatMessage[]): number {
  return messages.reduce(
    (total, message) => total + message.content.split(/\s+/).filter(Boolean).length,
    0,
  );
}
