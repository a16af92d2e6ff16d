/**
 * Searches one caller may have running at once in one API process. A search
 * is the API's most expensive read (up to 5,000 jobs and SEARCH_MAX_BYTES per
 * call); two at a time let a client page on while a second view loads, and no
 * single key can keep the event loop and Redis busy with a pile of them.
 * @defaultValue 2
 */
export const SEARCHES_PER_CALLER = 2;

/** How many searches each caller has running, up to a maximum each. */
export interface CallerSlots {
  readonly max: number;
  /** A slot for `caller`, with the function that gives it back (once, however often called); undefined when all of its slots are taken. */
  take(caller: string): (() => void) | undefined;
  /** Searches `caller` has running now. */
  running(caller: string): number;
}

/**
 * Slots per caller, in this process's memory: a limit on the work one process
 * takes on, not a quota shared by the fleet (each API process counts its own,
 * without a round trip to Redis before the search's own).
 */
export function createCallerSlots(max = SEARCHES_PER_CALLER): CallerSlots {
  const taken = new Map<string, number>();
  return {
    max,
    take(caller) {
      const now = taken.get(caller) ?? 0;
      if (now >= max) return undefined;
      taken.set(caller, now + 1);
      let given = false;
      return () => {
        if (given) return;
        given = true;
        const left = (taken.get(caller) ?? 1) - 1;
        if (left > 0) taken.set(caller, left);
        else taken.delete(caller);
      };
    },
    running: (caller) => taken.get(caller) ?? 0,
  };
}
