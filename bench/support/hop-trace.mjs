/**
 * A diagnostic, not a benchmark. Preloaded into every process of a
 * benchmark run, it appends one line per network step to HOP_TRACE_FILE:
 * an HTTP request arriving at a server, each write of its response and
 * its end, an HTTP client sending a request and receiving the answer's
 * head, and a PostgreSQL query going out and being answered. Lines carry
 * the monotonic clock, which every process on one machine shares, so the
 * steps of one chat line up across the consumer, the control plane, the
 * node daemon and the engine. `bench/hop-trace-report.ts` reads them.
 *
 *   NODE_OPTIONS="--import ./bench/support/hop-trace.mjs" HOP_TRACE_FILE=/tmp/hops.txt \
 *     BENCH_CONCURRENCY=1 BENCH_REQUESTS=20 BENCH_BURSTS=0 npm run bench:ttft
 *   npx tsx bench/hop-trace-report.ts /tmp/hops.txt
 *
 * It patches `http` and `pg` in place: never load it outside a diagnosis.
 * Paths are logged without their query strings (stream tokens travel there).
 */
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';

const file = process.env.HOP_TRACE_FILE;
if (file) {
  const lines = [];
  const flush = () => {
    if (lines.length === 0) return;
    appendFileSync(file, `${lines.join('\n')}\n`);
    lines.length = 0;
  };
  // Buffered, so tracing costs a push per step rather than a write.
  const trace = (step, detail) => {
    lines.push(`${process.hrtime.bigint()} ${process.pid} ${step} ${detail}`);
    if (lines.length >= 200) flush();
  };
  process.on('exit', flush);
  for (const signal of ['SIGTERM', 'SIGINT']) process.prependListener(signal, flush);

  const pathOf = (url) => String(url ?? '').split('?')[0];
  let requests = 0;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function traceRequests(event, request, response) {
    if (event === 'request') {
      const id = `${request.method} ${pathOf(request.url)} #${(requests += 1)}`;
      trace('server-request', id);
      const write = response.write;
      const end = response.end;
      response.write = function traceWrite(...chunk) {
        trace('server-write', id);
        return write.apply(this, chunk);
      };
      response.end = function traceEnd(...chunk) {
        trace('server-end', id);
        return end.apply(this, chunk);
      };
    }
    return emit.apply(this, arguments);
  };

  const request = http.request;
  http.request = function traceClient(...options) {
    const outgoing = request.apply(this, options);
    const id = `${outgoing.method} ${pathOf(outgoing.path)}`;
    trace('client-send', id);
    outgoing.once('response', () => trace('client-response', id));
    return outgoing;
  };

  try {
    // Resolved from the database package, where the server's `pg` lives.
    const require = createRequire(new URL('../../packages/db/package.json', import.meta.url));
    const pg = require('pg');
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function traceQuery(config, values, callback) {
      const id = (config && config.name) || 'unnamed';
      trace('query-send', id);
      const answered = () => trace('query-answer', id);
      if (typeof values === 'function') {
        const done = values;
        values = (...result) => (answered(), done(...result));
      } else if (typeof callback === 'function') {
        const done = callback;
        callback = (...result) => (answered(), done(...result));
      }
      const result = query.call(this, config, values, callback);
      if (result && typeof result.then === 'function') result.then(answered, () => {});
      return result;
    };
  } catch {
    // A process without `pg` (the daemon) has no queries to trace.
  }
}
