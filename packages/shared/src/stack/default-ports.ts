/** Where each piece of the stack listens unless told otherwise. */
export const DEFAULT_PORTS = {
  api: 3000,
  dashboard: 3001,
  /** Not 6379: a machine may already run another Redis there. */
  redis: 6390,
  /** API process N serves its metrics on `apiMetrics + N`. */
  apiMetrics: 9400,
  /** API process N answers its thread-served liveness probe on `apiHealth + N`. */
  apiHealth: 9600,
  /** Worker process N serves its metrics on `workerMetrics + N`. */
  workerMetrics: 9500,
} as const;
