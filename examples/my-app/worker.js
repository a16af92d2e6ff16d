const { handle, startWorker } = require('@floodgate/worker');
const { jobs, sumJob } = require('./jobs');

// The payload arrives validated against sumJob's schema; the result is checked against its result schema.
const sum = handle(sumJob, async ({ numbers }) => ({ sum: numbers.reduce((total, n) => total + n, 0), count: numbers.length }));

startWorker({ jobs, handlers: [sum] }).catch((err) => {
  console.error(err);
  process.exit(1);
});
