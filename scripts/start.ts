/**
 * `npm start`: builds the dashboard when its export is missing or older than
 * its sources, then runs the control plane in this process (so its own
 * SIGINT/SIGTERM handling applies unchanged). Arguments pass through:
 * `npm start -- --port 4000`.
 *
 * Skipped when INFERNET_DASHBOARD_DIR points elsewhere (a prebuilt export) or
 * INFERNET_SKIP_WEB_BUILD=1. A failed build is reported and the API starts
 * anyway; `/` then says how to build the dashboard.
 */
import { buildDashboardExport, dashboardExportIsCurrent } from './dashboard-export';

function buildDashboard(): void {
  if (process.env.INFERNET_DASHBOARD_DIR || process.env.INFERNET_SKIP_WEB_BUILD === '1') return;
  if (dashboardExportIsCurrent()) return;
  process.stdout.write('Building the dashboard (npm run build:web)…\n');
  if (buildDashboardExport() !== 0) {
    process.stderr.write(
      'The dashboard did not build (see above); starting the API anyway. Fix the error and run `npm run build:web`.\n',
    );
  }
}

buildDashboard();
await import('../apps/server/src/main');
