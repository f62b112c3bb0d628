import { createHash } from 'node:crypto';
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
import { answerOllamaEmbed } from './fake-embeddings';
import { delay, sendJson, sendText, startHttpServer, writeChunk } from './http-server';

/** What `GET /api/version` answers. */
export const FAKE_OLLAMA_VERSION = '0.12.6';

/**
 * Starts a local HTTP server that speaks Ollama's REST API closely enough for
 * the official `ollama` client: `POST /api/chat` (NDJSON stream or one JSON
 * object), `POST /api/embed`, `GET /api/tags`, `GET /api/version` and `GET /`.
 *
 * @example
 * const ollama = await startFakeOllama({ models: ['llama3.2:latest'], tokenDelayMs: 5 });
 * const engine = createOllamaEngine({ host: ollama.url });
 * await ollama.close();
 */
export async function startFakeOllama(options: FakeEngineOptions = {}): Promise<FakeEngineServer> {
  const models = options.models ?? [...DEFAULT_FAKE_MODELS];
  const reply = options.reply ?? defaultReply;
  const tokenDelayMs = options.tokenDelayMs ?? 0;
  let failure = options.failWith;
  const requests: unknown[] = [];

  const server = await startHttpServer(async (_request, response, call) => {
    if (failure) return sendJson(response, failure.status, { error: failure.message });
    const route = `${call.method} ${call.path}`;
    switch (route) {
      case 'GET /':
      case 'HEAD /':
        return sendText(response, 200, 'Ollama is running');
      case 'GET /api/version':
        return sendJson(response, 200, { version: FAKE_OLLAMA_VERSION });
      case 'GET /api/tags':
        return sendJson(response, 200, { models: models.map(describeModel) });
      case 'POST /api/chat':
        requests.push(call.body);
        return chat(response, call);
      case 'POST /api/embed':
        return answerOllamaEmbed(
          response,
          call,
          (name) => resolveModel(models, name) !== undefined,
        );
      default:
        return sendText(response, 404, '404 page not found');
    }
  });

  async function chat(response: ServerResponse, call: RecordedCall): Promise<void> {
    const body = isRecord(call.body) ? call.body : {};
    const requested = typeof body.model === 'string' ? body.model : '';
    const model = resolveModel(models, requested);
    if (model === undefined) {
      return sendJson(response, 404, {
        error: `model "${requested}" not found, try pulling it first`,
      });
    }
    const modelOptions = isRecord(body.options) ? body.options : {};
    const request: FakeChatRequest = {
      model: requested,
      messages: readMessages(body),
      maxTokens: readNumber(modelOptions.num_predict),
    };
    const { pieces, truncated } = limitPieces(reply(request), request.maxTokens);
    const final = {
      done: true,
      done_reason: truncated ? 'length' : 'stop',
      total_duration: 1_000_000 + pieces.length * tokenDelayMs * 1_000_000,
      load_duration: 1_000_000,
      prompt_eval_count: countPromptTokens(request.messages),
      prompt_eval_duration: 1_000_000,
      eval_count: pieces.length,
      eval_duration: pieces.length * tokenDelayMs * 1_000_000,
    };
    // Ollama streams unless the request says `"stream": false`.
    if (body.stream === false) {
      return sendJson(response, 200, {
        ...header(requested),
        message: { role: 'assistant', content: pieces.join('') },
        ...final,
      });
    }
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const [index, piece] of pieces.entries()) {
      await delay(options.delayBeforeToken?.(index) ?? tokenDelayMs);
      const line = { ...header(requested), message: { role: 'assistant', content: piece } };
      if (!writeChunk(response, `${JSON.stringify({ ...line, done: false })}\n`)) return;
    }
    const last = { ...header(requested), message: { role: 'assistant', content: '' }, ...final };
    if (writeChunk(response, `${JSON.stringify(last)}\n`)) response.end();
  }

  return {
    url: server.url,
    requests,
    calls: server.calls,
    setFailure: (next?: FakeEngineFailure) => {
      failure = next;
    },
    close: server.close,
  };
}

function header(model: string): { model: string; created_at: string } {
  return { model, created_at: new Date().toISOString() };
}

/** Ollama treats a name without a tag as `:latest`. */
function resolveModel(models: readonly string[], requested: string): string | undefined {
  return models.find((name) => name === requested || name === `${requested}:latest`);
}

function describeModel(name: string, index: number): Record<string, unknown> {
  const digest = createHash('sha256').update(name).digest('hex');
  return {
    name,
    model: name,
    modified_at: '2026-01-01T00:00:00Z',
    // Distinct, predictable sizes so tests can check the mapping.
    size: 1_000_000_000 + index,
    digest,
    details: {
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: ['llama'],
      parameter_size: '3.2B',
      quantization_level: 'Q4_K_M',
    },
  };
}
