/** One request a recording fetch passed on, and what came of it. */
export interface Exchange {
  method: string;
  url: string;
  headers: Headers;
  /** When it was sent and when its answer (or failure) came, by Date.now(). */
  sentAt: number;
  answeredAt?: number;
  status?: number;
  /** The error code of a floodgate error answer. */
  code?: string;
  retryAfter?: string | null;
  /** What fetch threw instead of answering. */
  failure?: unknown;
}

/**
 * The global fetch, recording every request and its answer, so a test sees
 * each attempt a client made (retries included). `onAnswer` runs once an
 * answer is recorded and before the client sees it: a test heals a fault there,
 * once the client has met it.
 */
export function recordingFetch(onAnswer?: (exchange: Exchange) => void | Promise<void>) {
  const exchanges: Exchange[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const exchange: Exchange = { method: init?.method ?? 'GET', url: String(input), headers: new Headers(init?.headers), sentAt: Date.now() };
    exchanges.push(exchange);
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (err) {
      exchange.failure = err;
      exchange.answeredAt = Date.now();
      await onAnswer?.(exchange);
      throw err;
    }
    exchange.status = response.status;
    exchange.retryAfter = response.headers.get('retry-after');
    exchange.answeredAt = Date.now();
    if (!response.ok && /json/.test(response.headers.get('content-type') ?? '')) {
      exchange.code = ((await response.clone().json()) as { error?: { code?: string } }).error?.code;
    }
    await onAnswer?.(exchange);
    return response;
  };
  return { fetch: fetchFn, exchanges };
}
