import { Hono } from 'hono';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  InfernetError,
  MAX_COMPLETION_BODY_BYTES,
} from '@infernet/protocol';
import { accountDeletionRoutes } from './accounts/account-deletion-routes';
import { authRoutes } from './accounts/auth-routes';
import { cloudInitRoutes, installScriptRoutes } from './accounts/cloud-init-routes';
import { deployTokenRoutes } from './accounts/deploy-token-routes';
import { deviceRoutes } from './accounts/device-routes';
import { keyRoutes } from './accounts/key-routes';
import { meRoutes } from './accounts/me-routes';
import { nodeLinkRoutes } from './accounts/node-link-routes';
import type { AppEnv, ServerDependencies } from './context';
import { createErrorHandler } from './error-handler';
import { identifyApiKeys } from './middleware/api-key-identity';
import { limitBodies } from './middleware/body-limit';
import { limitCompletionBodies } from './middleware/completion-body-limit';
import { limitConsumerRequests } from './middleware/consumer-limits';
import { requestContext } from './middleware/request-context';
import { useRequestLimits } from './middleware/request-limits';
import { createOpenApiDocument } from './openapi/document';
import { renderReferencePage } from './openapi/reference-page';
import { chatRoutes } from './routes/chat-routes';
import { dashboardRoutes } from './routes/dashboard-routes';
import { embeddingRoutes } from './routes/embeddings-routes';
import { healthRoutes } from './routes/health-routes';
import { nodePayoutRoutes } from './routes/node-payout-routes';
import { nodeRoutes } from './routes/node-routes';
import { openAiRoutes } from './routes/openai-routes';
import { publicRoutes } from './routes/public-routes';
import { runPodDeployRoutes } from './routes/runpod-deploy-routes';

export const SERVER_VERSION = '0.1.0';

const COMPLETE_PATH = /^\/api\/v1\/node\/jobs\/[^/]+\/complete$/;

/** Builds the HTTP application. Pure wiring: every dependency comes in as a parameter. */
export function createApp(dependencies: ServerDependencies) {
  const app = new Hono<AppEnv>();
  app.use('*', requestContext(dependencies.logger));
  const limitBody = limitBodies(DEFAULT_BODY_LIMIT_BYTES);
  // A node's `complete` carries an embedding job's vectors, so it alone may be larger.
  const limitCompletion = limitCompletionBodies(dependencies, {
    usual: limitBody,
    large: limitBodies(MAX_COMPLETION_BODY_BYTES),
  });
  app.use('/api/*', (context, next) =>
    (COMPLETE_PATH.test(context.req.path) ? limitCompletion : limitBody)(context, next),
  );
  app.use('/v1/*', limitBody);
  // Consumer limits count a request's API key when it has one (`consumerIdentity`).
  const identifyKeys = identifyApiKeys(dependencies);
  app.use('/api/chat/*', identifyKeys);
  app.use('/v1/*', identifyKeys);
  // After anything that sets `consumerIdentity` (API keys), before every route.
  useRequestLimits(app, dependencies.limits);
  // Deploy tokens, device codes and links are guessed, if at all, here: counted per address.
  for (const path of ['/api/deploy/*', '/api/device/*', '/api/nodes/*']) {
    app.use(path, limitConsumerRequests(dependencies.limits));
  }
  // Before nodeRoutes: its `*` signature check must not see these routes too (see the file).
  app.route('/api/v1/node', nodePayoutRoutes(dependencies));
  app.route('/api/v1/node', nodeRoutes(dependencies));
  app.route('/api/chat', chatRoutes(dependencies));
  app.route('/api/auth', authRoutes(dependencies));
  app.route('/api/keys', keyRoutes(dependencies));
  app.route('/api/me', meRoutes(dependencies));
  app.route('/api/account', accountDeletionRoutes(dependencies));
  app.route('/api/nodes', nodeLinkRoutes(dependencies));
  app.route('/api/deploy/runpod', runPodDeployRoutes(dependencies));
  app.route('/api/deploy', deployTokenRoutes(dependencies));
  app.route('/api/deploy', cloudInitRoutes(dependencies));
  app.route('/api/device', deviceRoutes(dependencies));
  app.route('/api', publicRoutes(dependencies));
  app.route('/v1', openAiRoutes(dependencies));
  app.route('/v1/embeddings', embeddingRoutes(dependencies));
  app.route('/', healthRoutes(dependencies));
  app.route('/', installScriptRoutes());
  const openApiDocument = createOpenApiDocument(SERVER_VERSION);
  app.get('/openapi.json', (context) => context.json(openApiDocument));
  const referencePage = renderReferencePage(SERVER_VERSION);
  app.get('/docs/api', (context) => context.html(referencePage));
  // Last: the dashboard's pages answer only what no API route did.
  if (dependencies.dashboardDirectory !== undefined) {
    app.route('/', dashboardRoutes({ directory: dependencies.dashboardDirectory }));
  }
  app.notFound(() => {
    throw new InfernetError('NOT_FOUND', 'No such route; see /openapi.json for the API.');
  });
  app.onError(createErrorHandler(dependencies.logger));
  return app;
}
