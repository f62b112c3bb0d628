'use client';

import { useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { MAX_CHAT_MESSAGES, MAX_MESSAGE_CHARACTERS } from '@infernet/protocol';
import type { ChatStream } from '@infernetprotocol/sdk';
import { PageHeader } from '@/components/layout/page-header';
import {
  Button,
  EmptyState,
  ErrorMessage,
  Select,
  TextArea,
  type SelectOption,
} from '@/components/ui';
import { infernetChatClient, infernetClient } from '@/lib/client';
import { describeChatError, describeStreamError } from '@/lib/describe-chat-failure';
import { describeLoadError } from '@/lib/describe-error';
import { usePolling } from '@/lib/use-polling';
import { AssistantAnswer } from './assistant-answer';
import { conversationMessages, type AssistantTurn, type Turn } from './chat-turn';

const MODELS_REFRESH_MS = 15_000;
/** After Stop, how long the stream may take to report the cancellation before it is cut. */
const STOP_GRACE_MS = 4000;

interface ActiveAnswer {
  stream: ChatStream;
  controller: AbortController;
}

/** `/chat`: send a message to a served model and watch the answer stream in. */
export function ChatPlayground() {
  const requestedModel = useSearchParams().get('model') ?? '';
  const models = usePolling((signal) => infernetClient().models({ signal }), MODELS_REFRESH_MS);
  const [pickedModel, setPickedModel] = useState<string | undefined>(undefined);
  const [draft, setDraft] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [active, setActive] = useState<ActiveAnswer | null>(null);
  const [stopping, setStopping] = useState(false);
  const nextId = useRef(0);
  const stopTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const activeRef = useRef<ActiveAnswer | null>(null);
  const messageBox = useRef<HTMLTextAreaElement>(null);
  const logEnd = useRef<HTMLDivElement>(null);

  const served = models.data ?? [];
  const model = pickedModel ?? (requestedModel || served[0]?.name || '');
  const options: SelectOption[] = served.map((entry) => ({
    value: entry.name,
    label: `${entry.name} — ${entry.nodes} ${entry.nodes === 1 ? 'node' : 'nodes'}`,
  }));
  if (model && !served.some((entry) => entry.name === model)) {
    options.push({ value: model, label: `${model} — no node online` });
  }
  if (options.length === 0) {
    options.push({
      value: '',
      label: models.data ? 'Default (no node online)' : 'Loading models…',
    });
  }

  // Leaving the page stops reading; the server frees the job after its grace period.
  useEffect(() => () => activeRef.current?.controller.abort(), []);
  useEffect(() => {
    logEnd.current?.scrollIntoView({ block: 'nearest' });
  }, [turns]);

  function updateAnswer(id: number, patch: (turn: AssistantTurn) => Partial<AssistantTurn>) {
    setTurns((current) =>
      current.map((turn) =>
        turn.id === id && turn.role === 'assistant' ? { ...turn, ...patch(turn) } : turn,
      ),
    );
  }

  async function send(event?: FormEvent) {
    event?.preventDefault();
    const content = draft.trim();
    if (!content || active) return;
    const userTurn: Turn = { role: 'user', id: nextId.current++, content };
    const answerId = nextId.current++;
    const answer: AssistantTurn = {
      role: 'assistant',
      id: answerId,
      content: '',
      phase: 'sending',
      model: model || undefined,
      meta: undefined,
      queue: undefined,
      usage: undefined,
      failure: undefined,
      startedAt: Date.now(),
      firstTokenAt: undefined,
      finishedAt: undefined,
    };
    const messages = conversationMessages([...turns, userTurn], MAX_CHAT_MESSAGES);
    setTurns((current) => [...current, userTurn, answer]);
    setDraft('');

    const controller = new AbortController();
    const stream = infernetChatClient().chat(
      { messages, model: model || undefined },
      { signal: controller.signal },
    );
    const current = { stream, controller };
    activeRef.current = current;
    setActive(current);
    try {
      for await (const streamEvent of stream) {
        switch (streamEvent.event) {
          case 'job':
            updateAnswer(answerId, (turn) => ({
              phase: turn.phase === 'sending' ? 'queued' : turn.phase,
              model: streamEvent.data.model,
            }));
            break;
          case 'queue':
            updateAnswer(answerId, () => ({
              phase: 'queued',
              queue: {
                position: streamEvent.data.position,
                expectedWaitSeconds: streamEvent.data.expected_wait_seconds,
              },
            }));
            break;
          case 'meta':
            updateAnswer(answerId, () => ({
              phase: 'streaming',
              meta: streamEvent.data,
              queue: undefined,
            }));
            break;
          case 'token':
            updateAnswer(answerId, (turn) => ({
              phase: 'streaming',
              content: turn.content + streamEvent.data.text,
              firstTokenAt: turn.firstTokenAt ?? Date.now(),
            }));
            break;
          case 'done': {
            const usage = streamEvent.data.usage;
            updateAnswer(answerId, (turn) => ({
              phase: 'done',
              content: streamEvent.data.text || turn.content,
              usage: usage && {
                promptTokens: usage.prompt_tokens,
                completionTokens: usage.completion_tokens,
                totalTokens: usage.prompt_tokens + usage.completion_tokens,
              },
              finishedAt: Date.now(),
            }));
            break;
          }
          case 'error':
            updateAnswer(answerId, () => ({
              phase: 'failed',
              failure: describeStreamError(streamEvent.data.code, streamEvent.data.message),
              finishedAt: Date.now(),
            }));
            break;
        }
      }
    } catch (error) {
      updateAnswer(answerId, () => ({
        phase: 'failed',
        failure: describeChatError(error, model),
        finishedAt: Date.now(),
      }));
    } finally {
      clearTimeout(stopTimer.current);
      activeRef.current = null;
      setActive(null);
      setStopping(false);
      messageBox.current?.focus();
    }
  }

  async function stop() {
    if (!active || stopping) return;
    setStopping(true);
    // The stream ends with its CANCELLED event; if it does not come soon, stop reading.
    stopTimer.current = setTimeout(() => active.controller.abort(), STOP_GRACE_MS);
    try {
      await active.stream.cancel();
    } catch {
      active.controller.abort();
    }
  }

  function onMessageKey(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  const modelsFailure = models.error ? describeLoadError(models.error, 'the models') : null;
  return (
    <>
      <PageHeader
        title="Chat"
        description="Talk to an open model running on someone’s GPU. Each answer says which node and engine served it."
        actions={
          <Button
            variant="secondary"
            onClick={() => setTurns([])}
            disabled={Boolean(active) || turns.length === 0}
          >
            New conversation
          </Button>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_18rem]">
        <div className="flex min-w-0 flex-col gap-4">
          <div
            role="log"
            aria-live="polite"
            aria-busy={Boolean(active)}
            aria-label="Conversation"
            className="min-h-64 space-y-5 rounded-lg border border-border bg-surface p-4 sm:p-5"
          >
            {turns.length === 0 ? (
              <EmptyState title="Ask anything">
                Your message goes to one node serving the chosen model. Don’t send anything you
                would not show a stranger: providers are independent machines.
              </EmptyState>
            ) : (
              turns.map((turn) =>
                turn.role === 'user' ? (
                  <div key={turn.id} className="flex justify-end">
                    <p className="max-w-[85%] rounded-lg bg-accent-soft px-3 py-2 whitespace-pre-wrap">
                      <span className="sr-only">You: </span>
                      {turn.content}
                    </p>
                  </div>
                ) : (
                  <div key={turn.id}>
                    <span className="sr-only">Answer: </span>
                    <AssistantAnswer turn={turn} />
                  </div>
                ),
              )
            )}
            <div ref={logEnd} />
          </div>
          <form onSubmit={send} className="space-y-3">
            <TextArea
              ref={messageBox}
              id="chat-message"
              label="Message"
              rows={3}
              value={draft}
              maxLength={MAX_MESSAGE_CHARACTERS}
              onChange={(event) => setDraft(event.target.value)}
              onKeyDown={onMessageKey}
              placeholder="Write a message…"
              hint="Enter sends; Shift+Enter starts a new line."
            />
            <div className="flex flex-wrap gap-2">
              <Button type="submit" disabled={!draft.trim() || Boolean(active)}>
                Send
              </Button>
              <Button variant="secondary" onClick={stop} disabled={!active} busy={stopping}>
                Stop
              </Button>
            </div>
          </form>
        </div>
        <aside className="space-y-4">
          <Select
            id="chat-model"
            label="Model"
            options={options}
            value={model}
            onChange={(event) => setPickedModel(event.target.value)}
            disabled={Boolean(active)}
            hint="Only models some node serves right now are listed, with how many nodes serve each."
          />
          {modelsFailure && (
            <ErrorMessage title={modelsFailure.title}>{modelsFailure.advice}</ErrorMessage>
          )}
          {models.data && served.length === 0 && (
            <p className="rounded-md border border-border bg-surface-muted p-3 text-sm">
              No node is online right now. If this server has a fallback configured, it answers
              instead and says so; otherwise you will see that nobody can serve the message.
            </p>
          )}
        </aside>
      </div>
    </>
  );
}
