'use client';

import { Badge, Button, ErrorMessage } from '@/components/ui';
import { fetchApiReference, type ApiOperation, type SchemaField } from '@/lib/openapi';
import { usePolling } from '@/lib/use-polling';

/** The document changes only with a deploy: loaded once per visit (the interval never fires in practice). */
const ONCE_PER_VISIT_MS = 24 * 60 * 60 * 1000;

/** Readers come for the public and OpenAI-compatible parts first; node internals last. */
const TAG_ORDER = ['openai', 'public', 'chat', 'accounts', 'node', 'health'];
const TAG_LABELS: Record<string, string> = {
  openai: 'OpenAI-compatible',
  public: 'Public network data',
  chat: 'Chat jobs',
  accounts: 'Accounts, keys and deploys',
  node: 'Node API (signed by the node key)',
  health: 'Health',
};

function tagRank(tag: string): number {
  const index = TAG_ORDER.indexOf(tag);
  return index === -1 ? TAG_ORDER.length : index;
}

const METHOD_TONES = {
  GET: 'info',
  POST: 'success',
  DELETE: 'danger',
} as const;

function Fields({ label, fields }: { label: string; fields: SchemaField[] }) {
  return (
    <div className="min-w-0">
      <p className="text-xs font-semibold tracking-wide text-muted uppercase">{label}</p>
      <ul className="mt-1 space-y-0.5 text-sm">
        {fields.map((field) => (
          <li key={field.name} className="break-words">
            <code>{field.name}</code>
            {!field.required && <span className="text-muted">?</span>}{' '}
            <span className="text-muted">{field.type}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Operation({ operation }: { operation: ApiOperation }) {
  const tone = METHOD_TONES[operation.method as keyof typeof METHOD_TONES] ?? 'neutral';
  return (
    <li className="py-3">
      <details className="group">
        <summary className="flex cursor-pointer list-none flex-wrap items-center gap-2 rounded-md">
          <Badge tone={tone} className="w-16 justify-center font-mono">
            {operation.method}
          </Badge>
          <code className="min-w-0 text-sm break-all">{operation.path}</code>
          <span className="w-full text-sm text-muted sm:w-auto sm:flex-1">{operation.summary}</span>
          <span aria-hidden="true" className="text-muted group-open:rotate-90">
            ›
          </span>
        </summary>
        <div className="mt-3 grid gap-4 rounded-md bg-surface-muted p-3 sm:grid-cols-2">
          <p className="text-sm sm:col-span-2">
            <span className="text-muted">Authentication:</span> {operation.auth}
            <span className="text-muted"> · Success:</span> {operation.successStatus}{' '}
            <code className="text-xs">{operation.responseType}</code>
          </p>
          {operation.requestFields && operation.requestFields.length > 0 && (
            <Fields label="Request body" fields={operation.requestFields} />
          )}
          {operation.responseFields && operation.responseFields.length > 0 && (
            <Fields label="Response" fields={operation.responseFields} />
          )}
        </div>
      </details>
    </li>
  );
}

/** Every operation of `/openapi.json`, grouped by tag; read at run time so it always matches the server. */
export function ApiReference() {
  const reference = usePolling((signal) => fetchApiReference(signal), ONCE_PER_VISIT_MS);
  if (reference.error && !reference.data) {
    return (
      <ErrorMessage
        title="Could not load the API description"
        action={
          <Button variant="secondary" onClick={reference.refresh}>
            Try again
          </Button>
        }
      >
        {(reference.error as Error).message} The plain reference at{' '}
        <a href="/docs/api" className="underline">
          /docs/api
        </a>{' '}
        shows the same operations without scripts.
      </ErrorMessage>
    );
  }
  if (!reference.data) {
    return (
      <p role="status" className="text-muted">
        Loading the API description…
      </p>
    );
  }
  return (
    <div className="space-y-6">
      <p className="text-sm text-muted">
        {reference.data.title} {reference.data.version} — generated from the protocol schemas. Raw
        document:{' '}
        <a href="/openapi.json" className="text-accent underline">
          /openapi.json
        </a>
        . Open an operation for its fields (<code>?</code> marks optional ones).
      </p>
      {[...reference.data.groups]
        .sort((a, b) => tagRank(a.tag) - tagRank(b.tag))
        .map((group) => (
          <section key={group.tag} aria-labelledby={`api-${group.tag}`}>
            <h3 id={`api-${group.tag}`} className="text-lg font-semibold">
              {TAG_LABELS[group.tag] ?? group.tag}
            </h3>
            <ul className="divide-y divide-border">
              {group.operations.map((operation) => (
                <Operation key={`${operation.method} ${operation.path}`} operation={operation} />
              ))}
            </ul>
          </section>
        ))}
    </div>
  );
}
