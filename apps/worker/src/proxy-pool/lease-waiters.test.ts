import { describe, expect, it } from 'vitest';
import { LeaseWaiters, type Offer, type WaitingRequest } from './lease-waiters';

const plain = (signal = new AbortController().signal): WaitingRequest => ({ excluded: new Set(), signal });
const sticky = (key: string): WaitingRequest => ({ sticky: key, excluded: new Set(), signal: new AbortController().signal });

describe('LeaseWaiters', () => {
  it('serves waiters in arrival order, and stops at the first plain request that must still wait', async () => {
    const waiters = new LeaseWaiters<string>();
    const first = waiters.wait(plain());
    const second = waiters.wait(plain());
    const offered: WaitingRequest[] = [];
    let slots = 1;
    const offer = (request: WaitingRequest): Offer<string> => {
      offered.push(request);
      return slots-- > 0 ? `lease-${offered.length}` : 'wait';
    };
    waiters.serve(offer);
    expect(await first).toBe('lease-1');
    // The second was offered nothing more than a 'wait'; a later free slot goes to it.
    expect(offered).toHaveLength(2);
    slots = 1;
    waiters.serve(offer);
    expect(await second).toBe('lease-3');
  });

  it('lets plain requests pass a sticky one that waits for its own exit', async () => {
    const waiters = new LeaseWaiters<string>();
    const stuck = waiters.wait(sticky('shop'));
    const behind = waiters.wait(plain());
    waiters.serve((request) => (request.sticky ? 'wait' : 'any exit'));
    expect(await behind).toBe('any exit');
    waiters.serve((request) => (request.sticky ? 'its exit' : 'wait'));
    expect(await stuck).toBe('its exit');
  });

  it('removes only the aborted waiter, rejecting it with its signal\'s reason; the others are still served', async () => {
    const waiters = new LeaseWaiters<string>();
    const controller = new AbortController();
    const aborted = waiters.wait(plain(controller.signal));
    const kept = waiters.wait(plain());
    controller.abort(new Error('job timed out'));
    await expect(aborted).rejects.toThrow('job timed out');
    const offeredTo: WaitingRequest[] = [];
    waiters.serve((request) => {
      offeredTo.push(request);
      return 'lease';
    });
    expect(await kept).toBe('lease');
    expect(offeredTo).toHaveLength(1);
  });

  it('tells every waiter there is no exit when settled all (the pool closing)', async () => {
    const waiters = new LeaseWaiters<string>();
    const pending = [waiters.wait(plain()), waiters.wait(sticky('x'))];
    waiters.settleAll();
    expect(await Promise.all(pending)).toEqual([undefined, undefined]);
  });
});
