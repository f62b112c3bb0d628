'use client';

import { Button, CodeBlock } from '@/components/ui';

/** A secret the server shows this once: the value, a copy button and the warning. */
export function SecretOnce({
  title,
  value,
  onDismiss,
}: {
  title: string;
  value: string;
  onDismiss: () => void;
}) {
  return (
    <div
      className="space-y-3 rounded-lg border border-warning/40 bg-warning-soft p-4"
      role="region"
      aria-label={title}
    >
      <p className="text-sm font-semibold text-warning">{title}</p>
      <p className="text-sm text-foreground">
        Copy it now: it is shown only this once and cannot be read again. Anyone holding it can act
        as your account.
      </p>
      <CodeBlock code={value} label={title} />
      <Button variant="secondary" onClick={onDismiss}>
        I have stored it
      </Button>
    </div>
  );
}
