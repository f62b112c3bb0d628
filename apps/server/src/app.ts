import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DEFAULT_BODY_LIMIT_BYTES, InfernetError } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from './context';
import { createErrorHandler } from './error-handler';
import { requestContext } from './middleware/request-context';
import { createOpenApiDocument } from './openapi/document';
import { renderReferencePage } from './openapi/reference-page';
import { chatRoutes } from './routes/chat-routes';
import { healthRoutes } from './routes/health-routes';
import { nodeRoutes } from './routes/node-routes';
import { openAiRoutes } from './routes/openai-routes';
import { publicRoutes } from './routes/public-routes';

export const SERVER_VERSION = '0.1.0';

/** Builds the HTTP application. Pure wiring: every dependency comes in as a parameter. */
export function createApp(dependencies: ServerDependencies) {
  const app = new Hono<AppEnv>();
  app.use('*', requestContext(dependencies.logger));
  const limitBody = bodyLimit({
    maxSize: DEFAULT_BODY_LIMIT_BYTES,
    onError: () => {
      throw new InfernetError(
        'PAYLOAD_TOO_LARGE',
        `Bodies are limited to ${DEFAULT_BODY_LIMIT_BYTES} bytes.`,
      );
    },
  });
  app.use('/api/*', limitBody);
  app.use('/v1/*', limitBody);
  app.route('/api/v1/node', nodeRoutes(dependencies));
  app.route('/api/chat', chatRoutes(dependencies));
  app.route('/api', publicRoutes(dependencies));
  app.route('/v1', openAiRoutes(dependencies));
  app.route('/', healthRoutes(dependencies));
  const openApiDocument = createOpenApiDocument(SERVER_VERSION);
  app.get('/openapi.json', (context) => context.json(openApiDocument));
  const referencePage = renderReferencePage(SERVER_VERSION);
  app.get('/docs/api', (context) => context.html(referencePage));
  app.notFound(() => {
    throw new InfernetError('NOT_FOUND', 'No such route; see /openapi.json for the API.');
  });
  app.onError(createErrorHandler(dependencies.logger));
  return app;
}
