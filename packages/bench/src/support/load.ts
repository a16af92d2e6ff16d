import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  /** Responses per HTTP status. */
  statuses: Map<number, number>;
  /** Responses with a status other than the expected one, plus errors and timeouts. */
  unexpected: number;
  p99Ms: number;
}

/**
 * POSTs `body` to `url` from `connections` connections for `seconds` (on
 * loopback only), then stops by itself. The load runs in a worker thread, so
 * this thread stays free to measure other things meanwhile.
 */
export async function postLoad(
  url: string,
  body: string,
  connections: number,
  seconds: number,
  options: { expectStatus?: number; headers?: Record<string, string>; /** Requests per second over all connections: a steady load rather than as fast as it goes. */ rate?: number } = {},
): Promise<LoadResult> {
  const expectStatus = options.expectStatus ?? 202;
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`load goes to 127.0.0.1 only, not ${url}`);
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body,
    connections,
    duration: seconds,
    timeout: 10,
    workers: 1,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
  });
  const statuses = new Map<number, number>(
    Object.entries(result.statusCodeStats ?? {}).map(([status, stat]) => [Number(status), stat?.count ?? 0]),
  );
  const unexpectedStatuses = [...statuses].filter(([status]) => status !== expectStatus).reduce((sum, [, n]) => sum + n, 0);
  return {
    requestsPerSecond: result.requests.average,
    statuses,
    unexpected: unexpectedStatuses + result.errors + result.timeouts,
    p99Ms: result.latency.p99,
  };
}
