import type { ReactNode } from 'react';

export interface ErrorMessageProps {
  title: ReactNode;
  /** What to do next: retry, check a setting, run a command. */
  children?: ReactNode;
  action?: ReactNode;
}

/** A failure, announced to screen readers when it appears. */
export function ErrorMessage({ title, children, action }: ErrorMessageProps) {
  return (
    <div
      role="alert"
      className="rounded-lg border border-danger/40 bg-danger-soft px-4 py-3 text-sm text-foreground"
    >
      <p className="font-semibold text-danger">{title}</p>
      {children && <div className="mt-1">{children}</div>}
      {action && <div className="mt-3">{action}</div>}
    </div>
  );
}
