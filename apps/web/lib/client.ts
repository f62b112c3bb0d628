import { InfernetClient } from '@infernetprotocol/sdk';

let client: InfernetClient | undefined;

/**
 * The SDK client for the control plane that served this page (same origin, so
 * the session cookie travels with account calls). Browser only: call it from
 * effects and event handlers, never while rendering, since the static export
 * pre-renders pages without a `window`.
 */
export function infernetClient(): InfernetClient {
  client ??= new InfernetClient({ baseUrl: window.location.origin });
  return client;
}

let chatClient: InfernetClient | undefined;

/**
 * The client the chat playground sends with. No automatic retries: when no
 * node can take a job (NO_CAPACITY, QUEUE_FULL) the person sees the honest
 * answer at once and decides, instead of waiting through backoffs.
 */
export function infernetChatClient(): InfernetClient {
  chatClient ??= new InfernetClient({ baseUrl: window.location.origin, maxRetries: 0 });
  return chatClient;
}
