import { OPERATIONS } from './operations';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);

const SECURITY_LABELS = {
  none: 'public',
  'node-signature': 'signed by the node key (X-Infernet-Auth)',
  'stream-token': 'stream token (Bearer or ?token=)',
  consumer: "public; an API key (Bearer) or session makes the job the account's",
  'job-owner': "the job's stream token, or its owner's API key or session",
  session: 'signed-in session (cookie from /api/auth)',
  account: 'an API key (Bearer) or a signed-in session',
  'node-signature-and-session': 'signed by the node key and a signed-in session',
  'deploy-token': 'deploy token (Bearer infd_…)',
  'node-signature-and-session-or-deploy-token':
    'signed by the node key, with a signed-in session or a deploy token (Bearer infd_…)',
} as const;

/**
 * A readable API reference with no scripts or fonts fetched from anywhere:
 * the operation table that generates /openapi.json, rendered as HTML.
 */
export function renderReferencePage(version: string): string {
  const rows = OPERATIONS.map(
    (operation) => `<tr>
  <td><code>${operation.method.toUpperCase()}</code></td>
  <td><code>${escapeHtml(operation.path)}</code></td>
  <td>${escapeHtml(operation.summary)}</td>
  <td>${escapeHtml(SECURITY_LABELS[operation.security])}</td>
</tr>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Infernet API reference</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 2rem auto; max-width: 70rem; padding: 0 1rem; line-height: 1.5; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #8884; vertical-align: top; }
  code { font-size: .95em; }
</style>
</head>
<body>
<h1>Infernet API reference <small>v${escapeHtml(version)}</small></h1>
<p>The machine-readable document is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1, generated from the protocol schemas).
Errors are always <code>{"error":{"code","message","requestId"}}</code>.</p>
<table>
<thead><tr><th>Method</th><th>Path</th><th>What it does</th><th>Auth</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>`;
}
