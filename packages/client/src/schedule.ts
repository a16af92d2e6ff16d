import type { AnyJobs, JobMap, PayloadOf, TypeOf } from './job-map.js';
import type * as Wire from './wire.generated.js';
import type { OfType } from './wire-shapes.js';

/** A schedule as stored: every N ms or on a cron pattern, and the payload of each run (`next` is null when no run is due). */
export type Schedule<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> = T extends unknown
  ? OfType<Wire.Schedule, T, { payload: PayloadOf<Jobs, T> | null }>
  : never;

type Timing = Omit<Wire.ScheduleBody, 'type' | 'payload'>;

/** What `putSchedule` sends: what to enqueue, and either `everyMs` or `cron` (with `tz`). */
export type ScheduleInput<Jobs extends JobMap<Jobs> = AnyJobs, T extends TypeOf<Jobs> = TypeOf<Jobs>> = T extends unknown
  ? { type: T; payload: PayloadOf<Jobs, T> } & (
      | (Required<Pick<Timing, 'everyMs'>> & { cron?: never; tz?: never })
      | (Required<Pick<Timing, 'cron'>> & Pick<Timing, 'tz'> & { everyMs?: never })
    )
  : never;

/** What `deleteSchedule` returns. */
export type RemovedSchedule = Wire.ScheduleRemoved;
