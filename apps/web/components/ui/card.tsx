import type { HTMLAttributes, ReactNode } from 'react';
import { classNames } from '@/lib/class-names';

export interface CardProps extends Omit<HTMLAttributes<HTMLElement>, 'title'> {
  /** A heading for the card; also names the region for screen readers. */
  title?: ReactNode;
  /** Shown at the right of the heading: a badge, a link, an action. */
  action?: ReactNode;
  headingLevel?: 2 | 3;
}

export function Card({ title, action, headingLevel = 2, className, children, ...rest }: CardProps) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section
      className={classNames(
        'min-w-0 rounded-lg border border-border bg-surface p-4 shadow-sm sm:p-5',
        className,
      )}
      {...rest}
    >
      {(title || action) && (
        <header className="mb-3 flex flex-wrap items-center justify-between gap-2">
          {title && <Heading className="text-base font-semibold">{title}</Heading>}
          {action}
        </header>
      )}
      {children}
    </section>
  );
}
