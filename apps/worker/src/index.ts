import { runWorkerProcess } from './worker-process';

runWorkerProcess().catch((err: unknown) => {
  // The logger may not exist yet; stderr always does.
  process.stderr.write(`worker failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
