import { Badge } from '@/components/ui';
import { formatCount, formatRate } from '@/lib/format';
import type { AssistantTurn } from './chat-turn';

/** Who served the answer: the node and engine, with the fallback named plainly when it answered. */
function ServedBy({ turn }: { turn: AssistantTurn }) {
  const meta = turn.meta;
  if (!meta) return null;
  const node =
    meta.provider_name || (meta.fallback ? null : `node ${meta.provider_node_id.slice(0, 8)}`);
  const engine = meta.engine_label || meta.engine;
  return (
    <p className="flex flex-wrap items-center gap-2 text-xs text-muted" data-testid="served-by">
      <span>
        Served by{' '}
        <span className="font-medium text-foreground">{meta.fallback ? 'NVIDIA NIM' : node}</span>
        {engine && !meta.fallback && <> · {engine}</>}
        {meta.model && <> · {meta.model}</>}
      </span>
      {meta.fallback ? (
        <Badge tone="warning">NVIDIA NIM (fallback)</Badge>
      ) : (
        <Badge tone="info">Infernet node</Badge>
      )}
    </p>
  );
}

function Progress({ turn }: { turn: AssistantTurn }) {
  switch (turn.phase) {
    case 'sending':
      return <p className="text-sm text-muted">Sending…</p>;
    case 'queued':
      return (
        <p className="text-sm text-muted">
          Waiting for a node
          {turn.queue && (
            <>
              {' '}
              — place {formatCount(turn.queue.position)} in the queue
              {turn.queue.expectedWaitSeconds !== null &&
                `, about ${formatCount(turn.queue.expectedWaitSeconds)} s`}
            </>
          )}
          …
        </p>
      );
    default:
      return null;
  }
}

function Speed({ turn }: { turn: AssistantTurn }) {
  if (turn.phase !== 'done' || !turn.usage) return null;
  const seconds =
    turn.firstTokenAt && turn.finishedAt ? (turn.finishedAt - turn.firstTokenAt) / 1000 : 0;
  return (
    <p className="text-xs text-muted">
      {formatCount(turn.usage.completionTokens)} tokens
      {seconds > 0 && ` · ${formatRate(turn.usage.completionTokens / seconds)} tokens/s`}
    </p>
  );
}

export function AssistantAnswer({ turn }: { turn: AssistantTurn }) {
  return (
    <div className="min-w-0 space-y-2">
      <ServedBy turn={turn} />
      <Progress turn={turn} />
      {(turn.content || turn.phase === 'streaming') && (
        <div
          className="text-[0.95rem] leading-relaxed whitespace-pre-wrap"
          data-testid="chat-answer"
        >
          {turn.content}
          {turn.phase === 'streaming' && (
            <span
              aria-hidden="true"
              className="ml-0.5 inline-block h-4 w-2 animate-pulse bg-muted align-middle"
            />
          )}
        </div>
      )}
      {turn.failure &&
        (turn.failure.stopped ? (
          <p className="text-sm text-muted">
            <span className="font-medium">{turn.failure.title}.</span>{' '}
            {turn.content ? 'The text so far is kept.' : 'Stopped before any text arrived.'}
          </p>
        ) : (
          <div
            role="alert"
            className="rounded-md border border-danger/40 bg-danger-soft px-3 py-2 text-sm"
          >
            <p className="font-semibold text-danger">{turn.failure.title}</p>
            <p className="mt-1">{turn.failure.advice}</p>
          </div>
        ))}
      <Speed turn={turn} />
    </div>
  );
}
