import { loadProcessEnv } from '@floodgate/shared/env';
import { WorkerEnv } from './env-schema';

export { WorkerEnv } from './env-schema';

const loaded = loadProcessEnv(WorkerEnv);

/** The worker's configuration: `.env` applied, then parsed once; exits with a readable message when invalid. */
export const env: WorkerEnv = loaded.env;

/** What reading it found (the `.env` used, variables nothing reads), for the process to log once it has a logger. */
export const envNotes = loaded.notes;
