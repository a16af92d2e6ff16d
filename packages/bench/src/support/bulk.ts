/**
 * POSTs one bulk body until it is accepted: a 429 or 503 (the API shedding on a
 * busy machine) is retried after a pause, as a client would, and counted with
 * `onRefused`; anything else fails the run.
 */
export async function postBulkUntilAccepted(url: string, body: string, onRefused: () => void = () => undefined, headers: Record<string, string> = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(60_000) });
    const text = await response.text();
    if (response.status === 202) return;
    if (![429, 503].includes(response.status) || attempt >= 50) throw new Error(`bulk enqueue answered ${response.status}: ${text}`);
    onRefused();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Sends `requests` copies of a bulk body from `connections` closed-loop callers (each waits for its answer before the next). */
export async function sendBulks(url: string, body: string, requests: number, connections: number, onRefused?: () => void): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < requests) {
        next += 1;
        await postBulkUntilAccepted(url, body, onRefused);
      }
    }),
  );
}
