import type { parseJson } from '@infernet/protocol';

/**
 * A protocol (zod) schema, named through `parseJson` so the SDK does not
 * depend on zod directly: it only ever uses schemas the protocol exports.
 */
export type Schema = Parameters<typeof parseJson>[1];

/** The value a schema produces after parsing. */
export type Infer<S extends Schema> = ReturnType<S['parse']>;
