import { Hono } from 'hono';
import { DEFAULT_BODY_LIMIT_BYTES, InfernetError } from '@infernet/protocol';
import { authRoutes } from './accounts/auth-routes';
import { keyRoutes } from './accounts/key-routes';
import { nodeLinkRoutes } from './accounts/node-link-routes';
import type { AppEnv, ServerDependencies } from './context';
import { createErrorHandler } from './error-handler';
import { limitBodies } from './middleware/body-limit';
import { requestContext } from './middleware/request-context';
import { useRequestLimits } from './middleware/request-limits';
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
  const limitBody = limitBodies(DEFAULT_BODY_LIMIT_BYTES);
  app.use('/api/*', limitBody);
  app.use('/v1/*', limitBody);
  // After anything that sets `consumerIdentity` (API keys), before every route.
  useRequestLimits(app, dependencies.limits);
  app.route('/api/v1/node', nodeRoutes(dependencies));
  app.route('/api/chat', chatRoutes(dependencies));
  app.route('/api/auth', authRoutes(dependencies));
  app.route('/api/keys', keyRoutes(dependencies));
  app.route('/api/nodes', nodeLinkRoutes(dependencies));
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
