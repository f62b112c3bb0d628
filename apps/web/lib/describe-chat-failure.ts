import { ApiError, ConnectionError, JobFailedError, UserAbortError } from '@infernetprotocol/sdk';

export interface ChatFailure {
  /** A short headline. */
  title: string;
  /** What happened, in the server's words where it gave some, and what to do next. */
  advice: string;
  /** True when the person pressed Stop: shown calmly, not as an error. */
  stopped: boolean;
}

/** A stream's `error` event, by its code. */
export function describeStreamError(code: string | undefined, message: string): ChatFailure {
  switch (code) {
    case 'CANCELLED':
      return { title: 'Stopped', advice: 'You stopped this answer.', stopped: true };
    case 'QUEUE_TIMEOUT':
      return {
        title: 'No node took the job in time',
        advice: `${message} Every node serving this model stayed busy. Try again, or pick a model more nodes serve.`,
        stopped: false,
      };
    case 'NODE_LOST':
    case 'NODE_SHUTDOWN':
      return {
        title: 'The node serving this answer went away',
        advice: `${message} Send the message again to get another node.`,
        stopped: false,
      };
    case 'ENGINE_ERROR':
      return {
        title: 'The model failed on the node',
        advice: `${message} Try again; if it repeats, pick another model.`,
        stopped: false,
      };
    default:
      return { title: 'The answer ended with an error', advice: message, stopped: false };
  }
}

/** Anything `chat()` threw: a refusal before the job started, or a broken connection. */
export function describeChatError(error: unknown, model: string): ChatFailure {
  if (error instanceof JobFailedError) return describeStreamError(error.code, error.message);
  if (error instanceof UserAbortError) {
    return { title: 'Stopped', advice: 'The request was stopped.', stopped: true };
  }
  if (error instanceof ConnectionError) {
    return {
      title: 'Cannot reach the control plane',
      advice: 'Check your connection and send the message again.',
      stopped: false,
    };
  }
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'NO_CAPACITY':
        return {
          title: 'Nobody can serve this right now',
          advice: `${error.message} This server has no fallback to answer instead, so nothing was sent${model ? ` for ${model}` : ''}.`,
          stopped: false,
        };
      case 'QUEUE_FULL':
        return {
          title: 'Every node for this model is busy',
          advice: `${error.message} Nothing was sent to a node.`,
          stopped: false,
        };
      case 'MODEL_NOT_FOUND':
        return {
          title: 'No node serves this model',
          advice: error.servedModels?.length
            ? `Served now: ${error.servedModels.join(', ')}.`
            : error.message,
          stopped: false,
        };
      case 'RATE_LIMITED':
        return {
          title: 'Too many requests',
          advice: `${error.message} Wait a moment before sending again.`,
          stopped: false,
        };
      case 'PAYLOAD_TOO_LARGE':
      case 'BAD_REQUEST':
        return { title: 'The message was refused', advice: error.message, stopped: false };
      default:
        return {
          title: 'The control plane refused the message',
          advice: `${error.message}${error.requestId ? ` (reference ${error.requestId})` : ''}`,
          stopped: false,
        };
    }
  }
  return {
    title: 'Something went wrong',
    advice: error instanceof Error ? error.message : 'Send the message again.',
    stopped: false,
  };
}
