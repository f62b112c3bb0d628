import Link from 'next/link';
import type { ComponentProps } from 'react';
import { classNames } from '@/lib/class-names';
import { BUTTON_VARIANTS, type ButtonVariant } from './button';

/** A link that looks like a button: navigation stays a link for assistive technology. */
export function ButtonLink({
  variant = 'secondary',
  className,
  ...rest
}: ComponentProps<typeof Link> & { variant?: ButtonVariant }) {
  return (
    <Link
      className={classNames(
        'inline-flex min-h-10 items-center justify-center gap-2 rounded-md border px-4 py-2 text-sm font-medium transition-colors',
        BUTTON_VARIANTS[variant],
        className,
      )}
      {...rest}
    />
  );
}
