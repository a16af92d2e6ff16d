import type { AnyJobs, JobMap, PayloadOf, TypeOf } from './job-map.js';

/** A schedule as stored: every N ms or on a cron pattern, and the payload of each run. */
export type Schedule<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> = T extends unknown
  ? {
      id: string;
      type: T;
      everyMs: number | null;
      cron: string | null;
      tz: string | null;
      /** The next run (ISO time), or null when none is due. */
      next: string | null;
      iterations: number;
      payload: PayloadOf<Jobs, T> | null;
    }
  : never;

/** What `putSchedule` sends: what to enqueue, and either `everyMs` or `cron` (with `tz`). */
export type ScheduleInput<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> = T extends unknown
  ? { type: T; payload: PayloadOf<Jobs, T> } & (
      | { /** Every this many milliseconds (at least 1000). */ everyMs: number; cron?: never; tz?: never }
      | { /** A cron pattern (`0 * * * *`), seconds allowed as a sixth field. */ cron: string; /** IANA time zone; UTC by default. */ tz?: string; everyMs?: never }
    )
  : never;

/** What `deleteSchedule` returns. */
export interface RemovedSchedule {
  id: string;
  removed: true;
}
