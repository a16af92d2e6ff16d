// The app's job types: the contract its API, workers and dashboard share.
const { defineJob, z } = require('@floodgate/core');

const sumJob = defineJob({
  type: 'sum',
  description: 'Adds up a list of numbers.',
  payload: z.strictObject({ numbers: z.array(z.number()).min(1).max(10_000) }),
  result: z.object({ sum: z.number(), count: z.number().int() }),
  concurrency: 20,
  timeoutMs: 5_000,
  attempts: 2,
});

module.exports = { jobs: [sumJob], sumJob };
