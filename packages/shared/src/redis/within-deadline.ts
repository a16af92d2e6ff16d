/**
 * `promise`, or a rejection with `timeoutError()` once `ms` have passed, leaving
 * no timer behind. An ioredis command can wait forever (in the offline queue, or
 * on a stalled socket), so every wait on Redis that must end goes through this.
 */
export async function withinDeadline<T>(promise: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
