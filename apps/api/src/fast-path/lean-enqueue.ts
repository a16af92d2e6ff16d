import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isJobType, type JobType } from '@floodgate/shared/jobs';
import type { Logger } from '@floodgate/shared/logger';
import { matchRoute, routes } from '@floodgate/shared/wire';
import { HttpError } from '../errors';
import type { Admission } from '../admission/admission';
import { enqueueAnswer } from '../enqueue/enqueue-answer';
import type { EnqueuePipeline } from '../enqueue/enqueue-pipeline';
import { errorBody, settleError } from '../http/error-handler';
import type { HttpMetrics } from '../metrics/http-metrics';
import type { Authenticator, Principal } from '../auth/authenticator';
import { callerOf } from '../http/request-params';
import { jsonNestsDeeperThan, jsonTooDeep, MAX_JSON_DEPTH } from '../http/json-depth';
import { requestIdOf } from '../http/request-logger';

const JSON_TYPE = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;

/** The enqueue route's type when a request is a plain `POST /v1/jobs/:type` (no query string), else undefined. */
function enqueueTypeOf(req: IncomingMessage): string | undefined {
  const match = matchRoute(req.method ?? '', req.url ?? '');
  return match?.name === 'enqueueJob' ? match.params.type : undefined;
}

export interface LeanEnqueueDeps {
  /** Everything the lean path does not take (and, with a parsed body, what it hands back). */
  app: (req: IncomingMessage, res: ServerResponse) => void;
  /** Who sent a request, by the rule express's `req.ip` follows (TRUST_PROXY). */
  clientAddress: (req: IncomingMessage) => string | undefined;
  /** The same helmet instance express uses: it only sets headers, and calls `next` at once. */
  securityHeaders: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  /** The same pipeline the express routes use: the lean path is only another HTTP adapter. */
  pipeline: EnqueuePipeline;
  auth: Authenticator;
  admission: Admission;
  logger: Logger;
  httpMetrics: HttpMetrics;
  bodyLimitBytes: number;
}

/**
 * The API's HTTP listener: a lean path for plain `POST /v1/jobs/:type` (JSON with a length, no query), since express's
 * routing and body parser cost more CPU than the enqueue itself under a flood; express for everything else. It answers
 * exactly as the express route would, and hands anything unusual to express, judged on the headers before the body.
 */
export function leanEnqueueListener(deps: LeanEnqueueDeps): RequestListener {
  return (req, res) => {
    const plain = plainEnqueue(req, deps);
    if (plain === undefined) return deps.app(req, res);
    const { type, principal } = plain;
    // Timed from arrival, body included, as express's measureRequests does.
    const arrivedAt = process.hrtime.bigint();
    const overloaded = shedding(deps);
    if (overloaded) {
      // Refused before the body is read, as express would, but without express's chain: an overloaded process
      // answers thousands of these a second, and each one it answers cheaply leaves more time for the rest.
      settleError(overloaded, routes.enqueueJob.path, deps.logger, deps.httpMetrics);
      return respondError(deps, req, res, arrivedAt, overloaded);
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      // Like express's parser (strict): only an object or an array is a JSON body.
      if (!/^[\s]*[{[]/.test(text)) {
        return respondError(deps, req, res, arrivedAt, new HttpError('invalid_json', 'The body is not valid JSON: it must be an object.'));
      }
      if (jsonNestsDeeperThan(raw, MAX_JSON_DEPTH)) return respondError(deps, req, res, arrivedAt, jsonTooDeep());
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        return respondError(deps, req, res, arrivedAt, new HttpError('invalid_json', `The body is not valid JSON: ${(err as Error).message}`));
      }
      void enqueue(deps, req, res, { type, principal, arrivedAt }, body);
    });
  };
}

/** `/v1/jobs/:type` for a POST the lean path may have answered; names its trace span. */
export function leanRouteOf(req: IncomingMessage): string | undefined {
  return enqueueTypeOf(req) === undefined ? undefined : routes.enqueueJob.path;
}

/**
 * The job type and caller when the request can take the lean path, judged on
 * its headers alone. A request express would refuse before reading its body
 * for its key (none, or a wrong scope) is left to express, which answers it.
 */
function plainEnqueue(req: IncomingMessage, deps: LeanEnqueueDeps): { type: JobType; principal: Principal | undefined } | undefined {
  const type = enqueueTypeOf(req);
  if (type === undefined || !isJobType(type)) return undefined;
  const { headers } = req;
  if (!JSON_TYPE.test(headers['content-type'] ?? '')) return undefined;
  if (headers['transfer-encoding'] !== undefined) return undefined;
  if (headers['content-encoding'] !== undefined && headers['content-encoding'] !== 'identity') return undefined;
  const length = Number(headers['content-length']);
  if (!(length > 0 && length <= deps.bodyLimitBytes)) return undefined;
  try {
    const principal = deps.auth.authorize('POST', `/v1/jobs/${type}`, headers);
    return { type, principal };
  } catch {
    return undefined;
  }
}

/** The 503 `overloaded` this process answers while its event loop lags, or undefined. */
function shedding(deps: LeanEnqueueDeps): HttpError | undefined {
  try {
    deps.admission.shedIfOverloaded();
    return undefined;
  } catch (err) {
    return err instanceof HttpError ? err : undefined;
  }
}

async function enqueue(
  deps: LeanEnqueueDeps,
  req: IncomingMessage,
  res: ServerResponse,
  { type, principal, arrivedAt }: { type: JobType; principal: Principal | undefined; arrivedAt: bigint },
  body: unknown,
): Promise<void> {
  const finish = observe(deps, req, res, arrivedAt);
  try {
    const caller = callerOf(principal, deps.clientAddress(req));
    const outcome = await deps.pipeline.one(type, body, { caller, idempotencyHeader: req.headers['idempotency-key'] });
    const answer = enqueueAnswer(outcome);
    const json = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      location: answer.location,
    });
    res.end(json);
  } catch (err) {
    const httpError = settleError(err, routes.enqueueJob.path, deps.logger, deps.httpMetrics);
    writeError(res, httpError);
  }
  finish();
}

function respondError(deps: LeanEnqueueDeps, req: IncomingMessage, res: ServerResponse, arrivedAt: bigint, error: HttpError): void {
  const finish = observe(deps, req, res, arrivedAt);
  writeError(res, error);
  finish();
}

function writeError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent || res.destroyed) return void res.destroy();
  const json = errorBody(error);
  res.writeHead(error.status, { ...error.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/**
 * The metric series of this route per status, bound once: resolving labels
 * (hashing them) on every request is a measurable share of a lean request.
 */
const boundSeries = new WeakMap<HttpMetrics, Map<number, { duration: { observe(v: number): void }; requests: { inc(): void } }>>();
function seriesFor(metrics: HttpMetrics, status: number) {
  let byStatus = boundSeries.get(metrics);
  if (!byStatus) boundSeries.set(metrics, (byStatus = new Map()));
  let series = byStatus.get(status);
  if (!series) {
    const labels = { method: 'POST', route: routes.enqueueJob.path, status: String(status) };
    series = { duration: metrics.duration.labels(labels), requests: metrics.requests.labels(labels) };
    byStatus.set(status, series);
  }
  return series;
}

/**
 * The request id, log line and metrics the express middleware gives every
 * request; returns what to call once the answer is written.
 */
function observe(deps: LeanEnqueueDeps, req: IncomingMessage, res: ServerResponse, arrivedAt: bigint): () => void {
  const reqId = requestIdOf(req.headers['x-request-id']);
  res.setHeader('x-request-id', reqId);
  deps.securityHeaders(req, res, () => undefined);
  return () => {
    const durationMs = Number(process.hrtime.bigint() - arrivedAt) / 1e6;
    const series = seriesFor(deps.httpMetrics, res.statusCode);
    series.duration.observe(durationMs / 1_000);
    series.requests.inc();
    const level = res.statusCode >= 500 ? 'error' : 'info';
    if (deps.logger.isLevelEnabled(level)) {
      deps.logger[level]({ reqId, method: 'POST', url: req.url, status: res.statusCode, durationMs }, res.statusCode >= 500 ? 'request failed' : 'request');
    }
  };
}
