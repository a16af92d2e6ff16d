import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HttpError } from '../errors';
import { createHysteresisGate } from './hysteresis-gate';

export interface EventLoopGuardOptions {
  /** Event-loop delay p99 (ms, over one interval) at which this process sheds. @defaultValue 200 */
  maxDelayMs: number;
  /** Sampling period. @defaultValue 500 */
  intervalMs: number;
  /**
   * Reads (and restarts) the delay measurement, in ms. Defaults to Node's
   * event-loop delay histogram; tests pass their own readings.
   */
  readDelayMs?: () => number;
}

export interface EventLoopGuard {
  readonly shedding: boolean;
  /** p99 of the last interval, in milliseconds. */
  readonly delayMs: number;
  /** 503 `overloaded` while shedding: what an admitting route checks before it reads its body. */
  shedIfOverloaded(): void;
  stop(): void;
}

/**
 * Sheds new jobs (503 `overloaded`) while this process's event loop lags: a
 * process that takes 200 ms to get to a callback cannot answer anyone well,
 * and piling more requests on makes every one of them slower. It resumes below
 * half the limit.
 */
export function startEventLoopGuard(options: EventLoopGuardOptions): EventLoopGuard {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  const readDelayMs =
    options.readDelayMs ??
    (() => {
      const p99 = histogram.percentile(99) / 1e6;
      histogram.reset();
      return p99;
    });
  if (!options.readDelayMs) histogram.enable();
  const gate = createHysteresisGate({ high: options.maxDelayMs, low: options.maxDelayMs / 2 });
  let delayMs = 0;
  const timer = setInterval(() => {
    delayMs = readDelayMs();
    gate.update(delayMs);
  }, options.intervalMs);
  timer.unref();
  return {
    get shedding() {
      return gate.shedding;
    },
    get delayMs() {
      return delayMs;
    },
    shedIfOverloaded() {
      if (gate.shedding) {
        throw new HttpError('overloaded', `This API process is overloaded (event-loop delay ${Math.round(delayMs)} ms); retry shortly.`, {
          headers: { 'Retry-After': '1' },
        });
      }
    },
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
