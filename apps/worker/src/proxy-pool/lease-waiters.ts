import type { SelectionRequest } from './exit-selection';

/** A request waiting for a slot, and the signal that bounds its wait. */
export interface WaitingRequest extends SelectionRequest {
  signal: AbortSignal;
}

/** What a waiter can be offered: a lease, `undefined` (no healthy exit left for it), or `wait` (still full). */
export type Offer<L> = L | undefined | 'wait';

interface Waiter<L> {
  request: WaitingRequest;
  settle(lease: L | undefined): void;
}

/**
 * Requests waiting, in arrival order, for an exit slot. Each leaves the queue
 * exactly once: served, told there is no exit, or aborted by its own signal.
 */
export class LeaseWaiters<L> {
  private readonly queue: Array<Waiter<L>> = [];

  /** Resolves with a lease or `undefined`; rejects with the signal's reason when it aborts first. */
  wait(request: WaitingRequest): Promise<L | undefined> {
    return new Promise<L | undefined>((resolve, reject) => {
      const onAbort = () => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        reject(request.signal.reason);
      };
      const waiter: Waiter<L> = {
        request,
        settle: (lease) => {
          request.signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Offers slots to the waiters in order, until a plain request still has to wait. */
  serve(offer: (request: WaitingRequest) => Offer<L>): void {
    for (let i = 0; i < this.queue.length; ) {
      const waiter = this.queue[i];
      if (!waiter) break;
      const lease = offer(waiter.request);
      if (lease === 'wait') {
        // A plain request that must wait means every healthy exit is full: so must the rest.
        if (waiter.request.sticky === undefined && waiter.request.excluded.size === 0) break;
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      waiter.settle(lease);
    }
  }

  /** Tells every waiter there is no exit (the pool is closing). */
  settleAll(): void {
    for (const waiter of this.queue.splice(0)) waiter.settle(undefined);
  }
}
