import { OpenAiEmbeddingListSchema, parseJson } from '@infernet/protocol';

/** `embeddings()`' input, sent as OpenAI's `POST /v1/embeddings` body. */
export interface EmbeddingsInput {
  model: string;
  /** One text, or several embedded in one request; the result keeps their order. */
  input: string | string[];
}

export interface EmbeddingsResult {
  /** The model that produced the vectors, as the server names it. */
  model: string;
  /** One vector per input, in input order. */
  embeddings: number[][];
  /** The engine's counts; undefined when the server reported none (never made up). */
  usage: { promptTokens: number; totalTokens: number } | undefined;
}

/**
 * The request body, in OpenAI's spelling. Vectors are asked for as base64
 * float32, a quarter the size of JSON numbers and exact for the float32
 * values engines compute (openai-node does the same).
 */
export function embeddingsBody({ model, input }: EmbeddingsInput) {
  return { model, input, encoding_format: 'base64' };
}

/**
 * Reads OpenAI's embeddings list. Vectors are put back in input order by
 * `index`, which OpenAI does not promise to keep in `data`'s order.
 */
export function decodeEmbeddings(text: string, inputs: number): EmbeddingsResult {
  const list = parseJson(text, OpenAiEmbeddingListSchema);
  if (list.data.length !== inputs) {
    throw new TypeError(`expected ${inputs} embeddings, got ${list.data.length}`);
  }
  const embeddings: number[][] = new Array(inputs);
  for (const { index, embedding } of list.data) {
    if (index < 0 || index >= inputs) throw new TypeError(`index ${index} is out of range`);
    if (embeddings[index] !== undefined) throw new TypeError(`index ${index} repeats`);
    embeddings[index] = typeof embedding === 'string' ? decodeFloat32Base64(embedding) : embedding;
  }
  const usage = list.usage && {
    promptTokens: list.usage.prompt_tokens,
    totalTokens: list.usage.total_tokens,
  };
  return { model: list.model, embeddings, usage: usage ?? undefined };
}

/** Little-endian float32 values in base64, as OpenAI sends them; `atob` runs in browsers and Node. */
export function decodeFloat32Base64(text: string): number[] {
  const binary = atob(text);
  if (binary.length % 4 !== 0)
    throw new TypeError('a base64 vector must hold whole float32 values');
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let offset = 0; offset < binary.length; offset += 1) {
    view.setUint8(offset, binary.charCodeAt(offset));
  }
  const values = new Array<number>(binary.length / 4);
  for (let index = 0; index < values.length; index += 1) {
    values[index] = view.getFloat32(index * 4, true);
  }
  return values;
}
