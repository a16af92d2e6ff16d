/**
 * Whether `promise` settles (either way) within `ms`, without leaving a timer
 * behind. Every shutdown step that talks to Redis goes through this: while
 * Redis is unreachable, a command waits in ioredis's offline queue forever.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
