/**
 * Coalesces calls that arrive in the same turn of the event loop into one
 * batch per key. Under load, dozens of requests are parsed in one turn; each
 * of them would otherwise pay its own Redis round trip (and Redis its own
 * command overhead). The batch is flushed on `setImmediate`, which runs right
 * after the turn's I/O callbacks: a lone request waits for nothing.
 */
export interface TickBatcher<I, O> {
  /** Queues one item under `key`; settles with that item's own outcome. */
  submit(key: string, item: I): Promise<O>;
}

/**
 * `flush` gets every item queued under one key since the last turn and returns
 * one outcome per item, in order: a value, or an Error for that item alone. A
 * rejection of `flush` itself rejects every item of the batch.
 */
export type BatchFlush<I, O> = (key: string, items: I[]) => Promise<Array<O | Error>>;

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(reason: unknown): void;
}

export function createTickBatcher<I, O>(flush: BatchFlush<I, O>, maxBatch = 1_000): TickBatcher<I, O> {
  let pending = new Map<string, Array<Pending<I, O>>>();
  let scheduled = false;

  const settle = async (key: string, batch: Array<Pending<I, O>>) => {
    try {
      const outcomes = await flush(
        key,
        batch.map((entry) => entry.item),
      );
      batch.forEach((entry, i) => {
        const outcome = outcomes[i];
        if (outcome instanceof Error) entry.reject(outcome);
        else if (i < outcomes.length) entry.resolve(outcome as O);
        else entry.reject(new Error(`batch flush returned ${outcomes.length} outcomes for ${batch.length} items`));
      });
    } catch (err) {
      for (const entry of batch) entry.reject(err);
    }
  };

  const flushAll = () => {
    scheduled = false;
    const batches = pending;
    pending = new Map();
    for (const [key, entries] of batches) {
      // A bound on one flush keeps a single Redis command (and its reply) reasonably small.
      for (let start = 0; start < entries.length; start += maxBatch) void settle(key, entries.slice(start, start + maxBatch));
    }
  };

  return {
    submit(key, item) {
      return new Promise<O>((resolve, reject) => {
        const entries = pending.get(key);
        if (entries) entries.push({ item, resolve, reject });
        else pending.set(key, [{ item, resolve, reject }]);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flushAll);
        }
      });
    },
  };
}
