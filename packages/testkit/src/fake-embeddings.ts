import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { isRecord, type RecordedCall } from './fake-engine';
import { sendJson } from './http-server';

/** The length of the fakes' vectors. */
export const FAKE_EMBEDDING_DIMENSIONS = 8;

/**
 * The fakes' vector for a text: float32 values in [-1, 1) from SHA-256 of
 * the text, so a test can compute what any client should receive. Float32,
 * as real engines compute, so base64 float32 carries them exactly.
 */
export function fakeEmbedding(text: string, dimensions = FAKE_EMBEDDING_DIMENSIONS): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block += 1) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let offset = 0; offset < digest.length && values.length < dimensions; offset += 4) {
      values.push(Math.fround(digest.readUInt32LE(offset) / 2 ** 31 - 1));
    }
  }
  return values;
}

/**
 * The fakes' prompt token count for embedding texts: each text's words plus
 * two, for the start and end tokens embedding models add around every text.
 */
export function countEmbeddingTokens(texts: readonly string[]): number {
  return texts.reduce((total, text) => total + text.split(/\s+/).filter(Boolean).length + 2, 0);
}

/** Little-endian float32 in base64: OpenAI's `encoding_format: "base64"`. */
export function toFloat32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/** The texts of an embed request (`input` as one string or a list), or undefined when malformed. */
function readTexts(body: Record<string, unknown>): string[] | undefined {
  const { input } = body;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((text) => typeof text === 'string')) return input;
  return undefined;
}

/**
 * `POST /api/embed` as Ollama answers it: every vector in `embeddings`, and
 * the tokens read in `prompt_eval_count`.
 */
export function answerOllamaEmbed(
  response: ServerResponse,
  call: RecordedCall,
  serves: (model: string) => boolean,
): void {
  const body = isRecord(call.body) ? call.body : {};
  const model = typeof body.model === 'string' ? body.model : '';
  if (!serves(model)) {
    return sendJson(response, 404, { error: `model "${model}" not found, try pulling it first` });
  }
  const texts = readTexts(body);
  if (texts === undefined) return sendJson(response, 400, { error: 'invalid input type' });
  sendJson(response, 200, {
    model,
    embeddings: texts.map((text) => fakeEmbedding(text)),
    total_duration: 14_143_917,
    load_duration: 1_019_500,
    prompt_eval_count: countEmbeddingTokens(texts),
  });
}

/**
 * `POST /v1/embeddings` as OpenAI answers it, in floats or, when asked,
 * base64 float32 (what the openai client asks for by default).
 */
export function answerOpenAiEmbeddings(
  response: ServerResponse,
  call: RecordedCall,
  options: {
    serves: (model: string) => boolean;
    sendError: (status: number, message: string, code?: string) => void;
  },
): void {
  const body = isRecord(call.body) ? call.body : {};
  const model = typeof body.model === 'string' ? body.model : '';
  if (!options.serves(model)) {
    return options.sendError(404, `The model \`${model}\` does not exist.`, 'model_not_found');
  }
  const texts = readTexts(body);
  if (texts === undefined) return options.sendError(400, "'input' is invalid.");
  const base64 = body.encoding_format === 'base64';
  const promptTokens = countEmbeddingTokens(texts);
  sendJson(response, 200, {
    object: 'list',
    data: texts.map((text, index) => {
      const vector = fakeEmbedding(text);
      return { object: 'embedding', index, embedding: base64 ? toFloat32Base64(vector) : vector };
    }),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}
