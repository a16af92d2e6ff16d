/**
 * The health probe's thread (see health-thread.ts): a bare HTTP server that
 * answers `GET /healthz` from the main thread's last heartbeat. It loads
 * nothing else, so it costs a few MB and wakes only for probes.
 */
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { beat, port, host, staleMs, beatMs } = workerData as { beat: Float64Array; port: number; host: string; staleMs: number; beatMs: number };

const server = createServer((req, res) => {
  if (req.method !== 'GET' || (req.url !== '/healthz' && req.url !== '/')) {
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: { code: 'not_found', message: 'Only GET /healthz is served here.' } }));
    return;
  }
  // How late the main loop's last beat is, beyond its period.
  const lagMs = Math.max(0, Date.now() - (beat[0] ?? 0) - beatMs);
  const stalled = lagMs > staleMs;
  const body = stalled
    ? { status: 'stalled', error: { code: 'event_loop_stalled', message: `The main event loop has not turned for ${Math.round(lagMs)} ms.` }, lagMs: Math.round(lagMs) }
    : { status: 'ok', lagMs: Math.round(lagMs) };
  res.writeHead(stalled ? 503 : 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
});
server.on('error', (err) => parentPort?.postMessage({ error: err.message }));
server.listen(port, host, () => {
  const address = server.address();
  parentPort?.postMessage({ listening: typeof address === 'object' && address ? address.port : port });
});
