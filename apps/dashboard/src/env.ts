import { loadProcessEnv } from '@floodgate/shared/env';
import { DashboardEnv } from './env-schema';

export { DashboardEnv, secureCookies } from './env-schema';

const loaded = loadProcessEnv(DashboardEnv);

/** The dashboard's configuration: `.env` applied, then parsed once, at start; nothing else reads process.env. */
export const env: DashboardEnv = loaded.env;

/** What reading it found (the `.env` used, variables nothing reads), for the process to log once it has a logger. */
export const envNotes = loaded.notes;
