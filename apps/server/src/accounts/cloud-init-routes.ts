import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { CloudInitQuerySchema, parseValue } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { renderCloudInitScript } from './cloud-init-script';
import { requireDeployToken } from './deploy-token-auth';
import { publicBaseUrl } from './public-base-url';

/** The repository's installer, which the cloud-init script runs. */
const INSTALL_SCRIPT_URL = new URL('../../../../install.sh', import.meta.url);

/**
 * `GET /api/deploy/cloud-init?model=M` (mounted under `/api/deploy`): a
 * machine's user-data script, for the holder of a deploy token. The token
 * rides in the Authorization header, never in the URL, and is written only
 * into the script itself.
 */
export function cloudInitRoutes(dependencies: ServerDependencies) {
  const routes = new Hono<AppEnv>();
  routes.get('/cloud-init', async (context) => {
    const { token } = await requireDeployToken(dependencies, context);
    const { model } = parseValue(context.req.query(), CloudInitQuerySchema);
    const script = renderCloudInitScript({
      token,
      model,
      controlPlaneUrl: publicBaseUrl(dependencies, context),
    });
    context.header('Cache-Control', 'no-store');
    return context.body(script, 200, { 'Content-Type': 'text/x-shellscript; charset=utf-8' });
  });
  return routes;
}

let installScript: string | undefined;

/** `GET /install.sh`: the repository's installer, read once per process, when the app is built. */
export function installScriptRoutes() {
  installScript ??= readFileSync(INSTALL_SCRIPT_URL, 'utf8');
  const script = installScript;
  const routes = new Hono<AppEnv>();
  routes.get('/install.sh', (context) => {
    context.header('Cache-Control', 'public, max-age=300');
    return context.body(script, 200, {
      'Content-Type': 'text/x-shellscript; charset=utf-8',
    });
  });
  return routes;
}
