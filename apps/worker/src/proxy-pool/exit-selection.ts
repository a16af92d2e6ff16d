import { fnv1a32 } from '@floodgate/shared/queues';
import { isCooling, type Exit } from './exit';

export type RotationPolicy = 'round-robin' | 'lru';

/** What a request asks of the selection. */
export interface SelectionRequest {
  /** Jobs with the same key get the same exit while it is healthy (rendezvous hashing, so every process agrees). */
  sticky?: string | undefined;
  /** Ids of exits not to use (the one that just failed). */
  excluded: ReadonlySet<string>;
}

/** An exit with a free slot, `wait` when the healthy ones are all busy, `none` when none is healthy. */
export type Selection = Exit | 'wait' | 'none';

/**
 * Which exit a request gets: among the healthy, not excluded ones, the sticky
 * key's own, or the next by rotation (round-robin or least recently used),
 * within each exit's concurrency cap.
 */
export class ExitSelection {
  private cursor = 0;

  constructor(
    private readonly exits: readonly Exit[],
    private readonly rotation: RotationPolicy,
    private readonly maxConcurrency: number,
  ) {}

  pick(request: SelectionRequest, now = Date.now()): Selection {
    const candidates = this.exits.filter((exit) => !request.excluded.has(exit.endpoint.id) && !isCooling(exit, now));
    if (candidates.length === 0) return 'none';
    if (request.sticky !== undefined) {
      // The sticky key's own exit or nothing: waiting keeps the site on one address.
      const own = stickyChoice(request.sticky, candidates);
      return this.hasSlot(own) ? own : 'wait';
    }
    const free = candidates.filter((exit) => this.hasSlot(exit));
    if (free.length === 0) return 'wait';
    if (this.rotation === 'lru') return free.reduce((a, b) => (b.lastUsed < a.lastUsed ? b : a));
    const n = this.exits.length;
    const next = free.reduce((a, b) => ((b.index - this.cursor + n) % n < (a.index - this.cursor + n) % n ? b : a));
    this.cursor = (next.index + 1) % n;
    return next;
  }

  /** After a cool-down, one request at a time until one succeeds (a probe, not a stampede). */
  private hasSlot(exit: Exit): boolean {
    return exit.active < (exit.health.strikes > 0 ? 1 : this.maxConcurrency);
  }
}

/** Rendezvous (highest random weight) hashing: the same key picks the same exit among the same candidates, in every process. */
function stickyChoice(key: string, candidates: readonly Exit[]): Exit {
  let best = candidates[0] as Exit;
  let bestScore = -1;
  for (const exit of candidates) {
    const score = fnv1a(`${key}\u0000${exit.endpoint.id}`);
    if (score > bestScore) {
      best = exit;
      bestScore = score;
    }
  }
  return best;
}

function fnv1a(text: string): number {
  let hash = fnv1a32(text);
  // A final mix, so keys that differ in their last characters spread well.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}
