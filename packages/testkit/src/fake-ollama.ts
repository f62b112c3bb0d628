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

export interface FakeOllamaOptions extends FakeEngineOptions {
  /** Names `POST /api/pull` can fetch; any name when absent. Others fail as Ollama fails them. */
  registry?: readonly string[];
  /** Sizes `/api/tags` reports by model name; others get distinct sizes just over 1 GB. */
  sizes?: Readonly<Record<string, number>>;
}

/**
 * Starts a local HTTP server that speaks Ollama's REST API closely enough for
 * the official `ollama` client: `POST /api/chat` (NDJSON stream or one JSON
 * object), `POST /api/embed`, `GET /api/tags`, `POST /api/show`,
 * `POST /api/pull` (streamed progress), `DELETE /api/delete`,
 * `GET /api/version` and `GET /`. Pulls and deletes change what it lists.
 *
 * @example
 * const ollama = await startFakeOllama({ models: ['llama3.2:latest'], tokenDelayMs: 5 });
 * const engine = createOllamaEngine({ host: ollama.url });
 * await ollama.close();
 */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeEngineServer> {
  const models = [...(options.models ?? DEFAULT_FAKE_MODELS)];
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
        return sendJson(response, 200, {
          models: models.map((name, index) => describeModel(name, index, options.sizes)),
        });
      case 'POST /api/chat':
        requests.push(call.body);
        return chat(response, call);
      case 'POST /api/show':
        return show(response, call);
      case 'POST /api/pull':
        return pull(response, call, models, options);
      case 'DELETE /api/delete':
        return remove(response, call);
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

  function show(response: ServerResponse, call: RecordedCall): void {
    const requested = readModelName(call.body);
    const model = resolveModel(models, requested);
    if (model === undefined) {
      return sendJson(response, 404, { error: `model '${requested}' not found` });
    }
    const { details } = describeModel(model, models.indexOf(model), options.sizes);
    return sendJson(response, 200, {
      license: '',
      modelfile: `FROM ${model}\n`,
      parameters: 'stop "<|eot_id|>"',
      template: '{{ .Prompt }}',
      details,
      model_info: {
        'general.architecture': 'llama',
        'general.parameter_count': parameterCountOf(model),
        'llama.context_length': 131072,
        'llama.block_count': 28,
        'llama.attention.head_count': 24,
        'llama.attention.head_count_kv': 8,
        'llama.embedding_length': 3072,
      },
      capabilities: ['completion'],
      modified_at: '2026-01-01T00:00:00Z',
    });
  }

  /** Ollama answers 200 with an empty body, or 404 naming the model. */
  function remove(response: ServerResponse, call: RecordedCall): void {
    const requested = readModelName(call.body);
    const model = resolveModel(models, requested);
    if (model === undefined) {
      return sendJson(response, 404, { error: `model '${requested}' not found` });
    }
    models.splice(models.indexOf(model), 1);
    response.writeHead(200, { 'content-length': 0 });
    response.end();
  }

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

/** Ollama reads the model from `model`, and from `name` as older clients send it. */
function readModelName(body: unknown): string {
  if (!isRecord(body)) return '';
  const name = body.model ?? body.name;
  return typeof name === 'string' ? name : '';
}

/**
 * Streams the lines a real `ollama pull` streams: the manifest, one layer's
 * download in quarters, the digest check, then `success`. A name outside
 * the registry gets the manifest line and an `error` line, still with
 * status 200, as Ollama answers an unknown model.
 */
function pull(
  response: ServerResponse,
  call: RecordedCall,
  models: string[],
  { registry, sizes }: FakeOllamaOptions,
): void {
  const requested = readModelName(call.body);
  const name = requested.includes(':') ? requested : `${requested}:latest`;
  const known =
    registry === undefined || registry.some((entry) => entry === requested || entry === name);
  const lines: Record<string, unknown>[] = [{ status: 'pulling manifest' }];
  if (!known) {
    lines.push({ error: 'pull model manifest: file does not exist' });
  } else {
    const index =
      resolveModel(models, requested) === undefined ? models.length : models.indexOf(name);
    const { size, digest } = describeModel(name, index, sizes);
    const layer = `sha256:${String(digest)}`;
    const status = `pulling ${String(digest).slice(0, 12)}`;
    for (const quarter of [0, 1, 2, 3, 4]) {
      lines.push({
        status,
        digest: layer,
        total: size,
        completed: ((size as number) * quarter) / 4,
      });
    }
    lines.push(
      { status: 'verifying sha256 digest' },
      { status: 'writing manifest' },
      { status: 'success' },
    );
    if (resolveModel(models, requested) === undefined) models.push(name);
  }
  if (isRecord(call.body) && call.body.stream === false) {
    const last = lines.at(-1)!;
    return sendJson(response, 'error' in last ? 500 : 200, last);
  }
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const line of lines) {
    if (!writeChunk(response, `${JSON.stringify(line)}\n`)) return;
  }
  response.end();
}

/** The size in a tag, e.g. 405e9 for "llama3.1:405b"; 3.2e9 when the name does not say. */
function parameterCountOf(name: string): number {
  const match = /[:-](\d+(?:\.\d+)?)([bm])(?:$|[-_])/i.exec(name);
  if (!match) return 3_212_749_888;
  return Math.round(Number(match[1]) * (match[2]!.toLowerCase() === 'b' ? 1e9 : 1e6));
}

function formatParameterSize(count: number): string {
  return count >= 1e9 ? `${Number((count / 1e9).toFixed(1))}B` : `${Math.round(count / 1e6)}M`;
}

function header(model: string): { model: string; created_at: string } {
  return { model, created_at: new Date().toISOString() };
}

/** Ollama treats a name without a tag as `:latest`. */
function resolveModel(models: readonly string[], requested: string): string | undefined {
  return models.find((name) => name === requested || name === `${requested}:latest`);
}

function describeModel(
  name: string,
  index: number,
  sizes: Readonly<Record<string, number>> = {},
): { size: number; digest: string; details: Record<string, unknown> } & Record<string, unknown> {
  const digest = createHash('sha256').update(name).digest('hex');
  return {
    name,
    model: name,
    modified_at: '2026-01-01T00:00:00Z',
    // Distinct, predictable sizes so tests can check the mapping.
    size: sizes[name] ?? 1_000_000_000 + index,
    digest,
    details: {
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: ['llama'],
      parameter_size: formatParameterSize(parameterCountOf(name)),
      quantization_level: 'Q4_K_M',
    },
  };
}
