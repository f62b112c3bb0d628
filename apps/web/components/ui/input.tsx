import type { ComponentProps, ReactNode } from 'react';
import { classNames } from '@/lib/class-names';
import { CONTROL_CLASSES, Field, describedBy } from './field';

/** React 19 passes `ref` as a prop, so it reaches the element through `rest`. */
export interface InputProps extends ComponentProps<'input'> {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
}

/** A labelled text input; `error` marks it invalid and is read with it. */
export function Input({ id, label, hint, error, className, ...rest }: InputProps) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, { hint, error })}
        className={classNames(CONTROL_CLASSES, 'min-h-10', className)}
        {...rest}
      />
    </Field>
  );
}

export interface TextAreaProps extends ComponentProps<'textarea'> {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
}

export function TextArea({ id, label, hint, error, className, ...rest }: TextAreaProps) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <textarea
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, { hint, error })}
        className={classNames(CONTROL_CLASSES, 'resize-y', className)}
        {...rest}
      />
    </Field>
  );
}
