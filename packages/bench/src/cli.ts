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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
  const quick = values.quick ?? false;
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !scenarios.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);

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
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
