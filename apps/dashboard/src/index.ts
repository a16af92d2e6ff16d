import { runDashboardProcess } from './dashboard-process';

runDashboardProcess().catch((err: unknown) => {
  process.stderr.write(`dashboard failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
