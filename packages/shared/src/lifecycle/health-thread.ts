import { Worker } from 'node:worker_threads';
import { join } from 'node:path';

export interface HealthThreadOptions {
  port: number;
  host: string;
  /** The main thread is reported stalled (503) once it has not beaten for this long. @defaultValue 2000 */
  staleMs?: number;
}

export interface HealthThread {
  /** Where the probe answers (the port actually bound: 0 picks a free one). */
  readonly port: number;
  stop(): Promise<void>;
}

/** How often the main thread says it is alive. */
const BEAT_MS = 100;

/**
 * A liveness probe that does not queue behind the traffic it watches: `GET /healthz` on its own port, answered by a
 * thread of its own from the main loop's heartbeat (shared memory, every 100 ms), since a loop shedding a flood answers
 * probes hundreds of ms late. 200 while the loop turns (its lag in the body), 503 `event_loop_stalled` past `staleMs`.
 */
export async function startHealthThread(options: HealthThreadOptions): Promise<HealthThread> {
  const beat = new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT));
  beat[0] = Date.now();
  const worker = new Worker(join(__dirname, 'health-thread-main.js'), {
    workerData: { beat, port: options.port, host: options.host, staleMs: options.staleMs ?? 2_000, beatMs: BEAT_MS },
  });
  const timer = setInterval(() => (beat[0] = Date.now()), BEAT_MS);
  timer.unref();
  // The thread must not keep the process alive on its own.
  worker.unref();
  const stop = async () => {
    clearInterval(timer);
    await worker.terminate();
  };
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (message: { listening?: number; error?: string }) => {
      if (message.listening !== undefined) resolve(message.listening);
      else reject(new Error(`the health probe could not listen on ${options.host}:${options.port}: ${message.error}`));
    });
    worker.once('error', reject);
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { port, stop };
}
