import type { ReactNode } from 'react';

export interface FieldProps {
  id: string;
  label: ReactNode;
  /** Help under the control, tied to it with aria-describedby (id `${id}-hint`). */
  hint?: ReactNode;
  /** Shown in place of the hint when set (id `${id}-error`). */
  error?: ReactNode;
  children: ReactNode;
}

/** A label, a control and its hint or error; the control must carry the same `id`. */
export function Field({ id, label, hint, error, children }: FieldProps) {
  return (
    <div className="flex min-w-0 flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {children}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-danger">
          {error}
        </p>
      ) : (
        hint && (
          <p id={`${id}-hint`} className="text-sm text-muted">
            {hint}
          </p>
        )
      )}
    </div>
  );
}

/** The aria-describedby a control inside `Field` should carry. */
export function describedBy(id: string, { hint, error }: { hint?: unknown; error?: unknown }) {
  if (error) return `${id}-error`;
  return hint ? `${id}-hint` : undefined;
}

export const CONTROL_CLASSES =
  'w-full min-w-0 rounded-md border border-border bg-surface px-3 py-2 text-sm text-foreground placeholder:text-muted disabled:opacity-60 aria-[invalid=true]:border-danger';
