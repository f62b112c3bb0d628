import { InfernetError } from '@infernet/protocol';
import type { ServerDependencies } from '../context';

/**
 * The OpenAI-compatible API's answer when no live node serves the requested
 * model: 404 MODEL_NOT_FOUND, listing what is served right now, so a client
 * can correct the name without another request.
 */
export async function modelNotFound(
  dependencies: Pick<ServerDependencies, 'db' | 'livenessSeconds'>,
  requested: string,
): Promise<InfernetError> {
  const served = await dependencies.db.providers.servedModels({
    livenessSeconds: dependencies.livenessSeconds,
  });
  const servedNames = served.map((model) => model.name);
  const list = servedNames.length === 0 ? 'none right now' : servedNames.join(', ');
  return new InfernetError(
    'MODEL_NOT_FOUND',
    `The model "${requested}" is not served by any live node. Served models: ${list}.`,
    { details: { served_models: servedNames } },
  );
}
