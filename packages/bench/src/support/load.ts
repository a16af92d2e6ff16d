import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  /** Responses with a status other than the expected one, plus errors and timeouts. */
  unexpected: number;
  p99Ms: number;
}

/**
 * POSTs `body` to `url` from `connections` connections for `seconds` (on
 * loopback only), then stops by itself.
 */
export async function postLoad(url: string, body: string, connections: number, seconds: number, expectStatus = 202): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`load goes to 127.0.0.1 only, not ${url}`);
  let unexpected = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
    timeout: 10,
    onResponse: (status: number) => {
      if (status !== expectStatus) unexpected++;
    },
  } as autocannon.Options);
  return {
    requestsPerSecond: result.requests.average,
    unexpected: unexpected + result.errors + result.timeouts,
    p99Ms: result.latency.p99,
  };
}
