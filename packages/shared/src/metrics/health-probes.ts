import type { IncomingMessage, ServerResponse } from 'node:http';

/** One thing readiness depends on, and what was found. */
export interface ReadinessCheck {
  ok: boolean;
  /** For the person reading the probe's answer: `ok`, `starting`, `no answer within 500 ms`, … */
  detail: string;
}

/** What `/readyz` reports: ready when every check is ok. */
export type Readiness = Record<string, ReadinessCheck>;

/** Looks at the process now; must not throw (a failure is a check that is not ok). */
export type ReadinessProbe = () => Promise<Readiness>;

/**
 * Answers the probes of load balancers and orchestrators, when `req` is one:
 * `GET /healthz` (200 while the process runs: it looks at nothing, Redis
 * least of all, so an outage never gets healthy processes restarted) and
 * `GET /readyz` (200 when every check of `probe` is ok, else 503 `not_ready`
 * with the checks in `details`). Returns false for any other request.
 */
export function answerHealthProbe(req: IncomingMessage, res: ServerResponse, probe: ReadinessProbe): boolean {
  const path = req.url?.split('?')[0];
  if (req.method !== 'GET' || (path !== '/healthz' && path !== '/readyz')) return false;
  if (path === '/healthz') {
    sendJson(res, 200, { status: 'ok' });
    return true;
  }
  probe().then(
    (checks) => {
      if (Object.values(checks).every((check) => check.ok)) sendJson(res, 200, { status: 'ready', checks });
      else sendJson(res, 503, { error: { code: 'not_ready', message: 'This process cannot take work now: see details.', details: checks } });
    },
    (err: unknown) => sendJson(res, 503, { error: { code: 'not_ready', message: `Readiness could not be checked: ${err instanceof Error ? err.message : String(err)}` } }),
  );
  return true;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  // A probe must never see a cached answer.
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
