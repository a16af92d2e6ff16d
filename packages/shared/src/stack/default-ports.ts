/** Where each piece of the stack listens unless told otherwise. */
export const DEFAULT_PORTS = {
  api: 3000,
  dashboard: 3001,
  /** Not 6379: a machine may already run another Redis there. */
  redis: 6390,
} as const;
