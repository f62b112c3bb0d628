import type { ErrorCode } from '@infernet/protocol';
import { InfernetError } from '@infernet/protocol';
import { expect } from 'vitest';

/** Runs `action`, expects an InfernetError with `code`, and returns it for further checks. */
export function expectInfernetError(action: () => unknown, code: ErrorCode): InfernetError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(InfernetError.isInstance(thrown), 'expected an InfernetError to be thrown').toBe(true);
  const error = thrown as InfernetError;
  expect(error.code).toBe(code);
  return error;
}
