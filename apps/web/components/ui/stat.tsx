import type { ReactNode } from 'react';
import { classNames } from '@/lib/class-names';

export interface StatProps {
  label: ReactNode;
  /** `undefined` while loading: a placeholder keeps the layout still. */
  value: ReactNode | undefined;
  /** A line under the value: a unit, a comparison, where the number comes from. */
  detail?: ReactNode;
  className?: string;
}

/** One number with its label, as a term/definition pair. */
export function Stat({ label, value, detail, className }: StatProps) {
  return (
    <div
      className={classNames(
        'min-w-0 rounded-lg border border-border bg-surface p-4 shadow-sm',
        className,
      )}
    >
      <dt className="text-sm text-muted">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">
        {value === undefined ? (
          <span
            aria-label="Loading"
            className="inline-block h-7 w-16 animate-pulse rounded bg-surface-muted align-middle"
          />
        ) : (
          value
        )}
      </dd>
      {detail && <dd className="mt-1 text-xs text-muted">{detail}</dd>}
    </div>
  );
}
