/**
 * What an app of your own needs to declare its job types. A definition is the
 * contract between your API and your workers: give the same list to
 * `startApi` (`@floodgate/api`), `startWorker` (`@floodgate/worker`) and
 * `startDashboard` (`@floodgate/dashboard`).
 */
export { defineJob, type BatchPolicy, type JobDefinition, type JobDefinitionInput, type RetentionPolicy } from '@floodgate/shared/jobs';
/** The zod floodgate validates with: use it for your payload and result schemas, so both sides agree on one version. */
export { z } from 'zod';
