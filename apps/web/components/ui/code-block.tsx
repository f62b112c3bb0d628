'use client';

import { useState } from 'react';

/** A command or snippet with a copy button above it (the copy is announced, not only shown). */
export function CodeBlock({ code, label }: { code: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      // Clipboard refused (an insecure origin): the text stays selectable.
    }
  };
  return (
    <figure className="min-w-0 overflow-hidden rounded-md border border-border bg-surface-muted">
      <figcaption className="flex items-center justify-between gap-2 border-b border-border px-3 py-1.5 text-xs text-muted">
        <span>{label}</span>
        <button
          type="button"
          onClick={copy}
          aria-label={`Copy ${label.toLowerCase()}`}
          className="rounded border border-border bg-surface px-2 py-0.5 text-xs text-foreground hover:bg-background"
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </figcaption>
      <pre className="overflow-x-auto p-3 text-sm">
        <code>{code}</code>
      </pre>
      <span aria-live="polite" className="sr-only">
        {copied ? `${label} copied` : ''}
      </span>
    </figure>
  );
}
