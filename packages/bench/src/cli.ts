/**
 * `npm run bench [-- --quick] [-- --only name,name]`: starts a private Redis,
 * runs each scenario against its baseline in this same run, prints a table of
 * ratios and writes it under packages/bench/results/.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '@floodgate/shared/logger';
import { createRedis, waitForRedis } from '@floodgate/shared/redis';
import { startRedis } from '@floodgate/testkit';
import { describeMachine } from './machine';
import { buildReport, toMarkdown, writeReport } from './report';
import type { BenchContext, ResultRow } from './scenario';
import { scenarios } from './scenarios';

const USAGE = `usage: npm run bench [-- --quick] [-- --only name,name]
  --quick   small sizes, a smoke run whose ratios mean little (npm test runs it)
  --only    run these scenarios only: ${scenarios.map((s) => s.name).join(', ')}`;

/** A wrong command line: its message and the usage are printed, without a stack. */
class UsageError extends Error {}

function parseCommandLine(): { quick: boolean; only: string[] | undefined } {
  let values: { quick?: boolean; only?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !scenarios.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) throw new UsageError(`unknown scenario(s): ${unknown.join(', ')}`);
  return { quick: values.quick ?? false, only };
}

async function main(): Promise<void> {
  const { quick, only } = parseCommandLine();

  const logger = createLogger({ name: 'bench', level: 'warn', pretty: false });
  const redis = await startRedis();
  const admin = createRedis('worker', { url: redis.url, logger });
  await waitForRedis(admin);
  const redisVersion = /^redis_version:(\S+)/m.exec(await admin.info('server'))?.[1] ?? 'unknown';
  const ctx: BenchContext = {
    quick,
    redisUrl: redis.url,
    newPrefix: () => `{bench-${randomUUID().slice(0, 8)}}`,
    logger,
    size: (full, small) => (quick ? small : full),
  };
  const startedAt = new Date();
  const rows: ResultRow[] = [];
  try {
    for (const scenario of scenarios.filter((s) => !only || only.includes(s.name))) {
      process.stderr.write(`bench: ${scenario.title}…\n`);
      // Each scenario starts from an empty Redis, so one's leftovers never weigh on the next.
      await admin.flushall();
      const begun = performance.now();
      rows.push(...(await scenario.run(ctx)));
      process.stderr.write(`bench: ${scenario.name} done in ${((performance.now() - begun) / 1_000).toFixed(1)} s\n`);
    }
  } finally {
    admin.disconnect();
    await redis.stop();
  }
  const report = buildReport(rows, describeMachine(redisVersion), quick, startedAt);
  await writeReport(report, join(__dirname, '../results'), quick ? 'quick' : only ? 'partial' : 'latest');
  process.stdout.write(`\n${toMarkdown(report)}`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`bench: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
