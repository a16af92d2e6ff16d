import { loadProcessEnv } from '@floodgate/shared/env';
import { ApiEnv } from './env-schema';

export { ApiEnv } from './env-schema';

const loaded = loadProcessEnv(ApiEnv);

/** The API's configuration: `.env` applied, then parsed once, at start; nothing else reads process.env. */
export const env: ApiEnv = loaded.env;

/** What reading it found (the `.env` used, variables nothing reads), for the process to log once it has a logger. */
export const envNotes = loaded.notes;
