import { ApiError, ConnectionError } from '@infernetprotocol/sdk';
import type { Logger } from '../output';

/**
 * Tracks whether the control plane answers, so an outage is logged once
 * when it starts and once when it ends, not on every retry of every loop.
 */
export class Connectivity {
  readonly #logger: Logger;
  readonly #controlPlaneUrl: string;
  #lastProblem: string | undefined;

  constructor({ logger, controlPlaneUrl }: { logger: Logger; controlPlaneUrl: string }) {
    this.#logger = logger;
    this.#controlPlaneUrl = controlPlaneUrl;
  }

  get reachable(): boolean {
    return this.#lastProblem === undefined;
  }

  failed(error: unknown): void {
    const problem = problemKey(error);
    if (problem === this.#lastProblem) return;
    this.#lastProblem = problem;
    const fields = { controlPlane: this.#controlPlaneUrl, error: describeError(error) };
    if (error instanceof ConnectionError) {
      this.#logger.warn(
        fields,
        'cannot reach the control plane; retrying with backoff (is it running? start one with `npm start`)',
      );
    } else {
      this.#logger.error(fields, 'the control plane refused a request; retrying with backoff');
    }
  }

  succeeded(): void {
    if (this.#lastProblem === undefined) return;
    this.#lastProblem = undefined;
    this.#logger.info({ controlPlane: this.#controlPlaneUrl }, 'control plane reachable again');
  }
}

function problemKey(error: unknown): string {
  if (error instanceof ConnectionError) return 'unreachable';
  if (error instanceof ApiError) return `api:${error.code}`;
  return 'other';
}

/** A log-safe summary: class, code and message, never headers or bodies. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof ApiError) {
    return {
      type: error.name,
      status: error.status,
      code: error.code,
      message: error.message,
      requestId: error.requestId,
    };
  }
  if (error instanceof Error) return { type: error.name, message: error.message };
  return { message: String(error) };
}
