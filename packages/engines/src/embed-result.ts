import type { EmbedRequest, EmbedResult } from './engine';
import { engineFailure, type EngineErrorContext } from './engine-error';

/**
 * An answer with a vector per text, all of one non-zero length, or
 * ENGINE_ERROR: a short or ragged answer would pair texts with the wrong
 * vectors downstream, which no consumer could notice.
 */
export function checkVectorCount(
  result: EmbedResult,
  request: EmbedRequest,
  context: EngineErrorContext,
): EmbedResult {
  const { vectors } = result;
  if (vectors.length !== request.input.length) {
    throw engineFailure(
      context,
      `answered ${vectors.length} vectors for ${request.input.length} texts`,
    );
  }
  const dimensions = vectors[0]?.length ?? 0;
  if (vectors.some((vector) => vector.length !== dimensions || vector.length === 0)) {
    throw engineFailure(context, 'answered vectors of different or zero lengths');
  }
  return result;
}
