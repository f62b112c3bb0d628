import type { ServerResponse } from 'node:http';
import {
  DEFAULT_FAKE_MODELS,
  countPromptTokens,
  defaultReply,
  isRecord,
  limitPieces,
  readMessages,
  readNumber,
} from './fake-engine';
import type {
  FakeChatRequest,
  FakeEngineFailure,
  FakeEngineOptions,
  FakeEngineServer,
  RecordedCall,
} from './fake-engine';
import { answerOpenAiEmbeddings } from './fake-embeddings';
import { delay, sendJson, startHttpServer, writeChunk } from './http-server';

export interface FakeOpenAiOptions extends FakeEngineOptions {
  /** When set, requests without `Authorization: Bearer <apiKey>` get OpenAI's 401. */
  apiKey?: string;
}

export interface FakeOpenAiServer extends FakeEngineServer {
  /** `url` + `/v1`: what an OpenAI client takes as its base URL. */
  readonly baseUrl: string;
}

/** A fixed `created` timestamp keeps responses reproducible. */
const CREATED = 1_767_225_600;

/**
 * Starts a local HTTP server that speaks the OpenAI-compatible API the way
 * vLLM, llama.cpp server and SGLang do: `POST /v1/chat/completions` (SSE
 * stream or one JSON object), `POST /v1/embeddings` and `GET /v1/models`, with errors in OpenAI's
 * `{ error: { message, type, code } }` shape.
 *
 * @example
 * const vllm = await startFakeOpenAi({ models: ['Qwen/Qwen2.5-0.5B-Instruct'] });
 * const engine = createOpenAiCompatibleEngine({ baseUrl: vllm.baseUrl });
 * await vllm.close();
 */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAiServer> {
  const models = options.models ?? [...DEFAULT_FAKE_MODELS];
  const reply = options.reply ?? defaultReply;
  const tokenDelayMs = options.tokenDelayMs ?? 0;
  let failure = options.failWith;
  const requests: unknown[] = [];
  let completions = 0;

  const server = await startHttpServer(async (request, response, call) => {
    if (failure) return sendError(response, failure.status, failure.message);
    if (
      options.apiKey !== undefined &&
      request.headers.authorization !== `Bearer ${options.apiKey}`
    ) {
      return sendError(response, 401, 'Incorrect API key provided.', 'invalid_api_key');
    }
    const route = `${call.method} ${call.path}`;
    switch (route) {
      case 'GET /v1/models':
        return sendJson(response, 200, {
          object: 'list',
          data: models.map((id) => ({
            id,
            object: 'model',
            created: CREATED,
            owned_by: 'infernet-testkit',
          })),
        });
      case 'POST /v1/chat/completions':
        requests.push(call.body);
        completions += 1;
        return chatCompletion(response, call, `chatcmpl-fake-${completions}`);
      case 'POST /v1/embeddings':
        return answerOpenAiEmbeddings(response, call, {
          serves: (model) => models.includes(model),
          sendError: (status, message, code) => sendError(response, status, message, code),
        });
      default:
        return sendError(response, 404, `Unknown route ${route}.`);
    }
  });

  async function chatCompletion(
    response: ServerResponse,
    call: RecordedCall,
    id: string,
  ): Promise<void> {
    const body = isRecord(call.body) ? call.body : {};
    const model = typeof body.model === 'string' ? body.model : '';
    if (!models.includes(model)) {
      return sendError(response, 404, `The model \`${model}\` does not exist.`, 'model_not_found');
    }
    const request: FakeChatRequest = {
      model,
      messages: readMessages(body),
      maxTokens: readNumber(body.max_completion_tokens) ?? readNumber(body.max_tokens),
    };
    const { pieces, truncated } = limitPieces(reply(request), request.maxTokens);
    const finishReason = truncated ? 'length' : 'stop';
    const promptTokens = countPromptTokens(request.messages);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: pieces.length,
      total_tokens: promptTokens + pieces.length,
    };
    if (body.stream !== true) {
      return sendJson(response, 200, {
        id,
        object: 'chat.completion',
        created: CREATED,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: pieces.join(''), refusal: null },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage,
      });
    }
    const includeUsage =
      isRecord(body.stream_options) && body.stream_options.include_usage === true;
    // With include_usage, OpenAI sends `usage: null` on every chunk and the totals on a last chunk with no choices.
    const chunk = (choices: unknown[], chunkUsage: unknown = null): string =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created: CREATED,
        model,
        system_fingerprint: null,
        choices,
        ...(includeUsage ? { usage: chunkUsage } : {}),
      })}\n\n`;
    const choice = (delta: Record<string, unknown>, finish: string | null = null): unknown => ({
      index: 0,
      delta,
      logprobs: null,
      finish_reason: finish,
    });

    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    if (!writeChunk(response, chunk([choice({ role: 'assistant', content: '' })]))) return;
    for (const [index, piece] of pieces.entries()) {
      await delay(options.delayBeforeToken?.(index) ?? tokenDelayMs);
      if (!writeChunk(response, chunk([choice({ content: piece })]))) return;
    }
    if (!writeChunk(response, chunk([choice({}, finishReason)]))) return;
    if (includeUsage && !writeChunk(response, chunk([], usage))) return;
    if (writeChunk(response, 'data: [DONE]\n\n')) response.end();
  }

  return {
    url: server.url,
    baseUrl: `${server.url}/v1`,
    requests,
    calls: server.calls,
    setFailure: (next?: FakeEngineFailure) => {
      failure = next;
    },
    close: server.close,
  };
}

function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  code: string | null = null,
): void {
  sendJson(response, status, { error: { message, type: errorTypeFor(status), param: null, code } });
}

/** The `type` OpenAI puts on errors of each status class. */
function errorTypeFor(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
