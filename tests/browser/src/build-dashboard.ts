/**
 * `npm run test:browser`, first step: builds the dashboard export when it is
 * missing or older than its sources, so the browser suite never tests stale
 * pages. Unlike `npm start`, a failed build fails the run.
 */
import { buildDashboardExport, dashboardExportIsCurrent } from '../../../scripts/dashboard-export';

if (dashboardExportIsCurrent()) {
  process.stdout.write('The dashboard export is current; not rebuilding.\n');
} else {
  process.stdout.write('Building the dashboard (npm run build:web)…\n');
  process.exitCode = buildDashboardExport();
}
