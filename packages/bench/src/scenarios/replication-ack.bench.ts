import { attachReplica, startRedis } from '@floodgate/testkit';
import type { BenchContext, ResultRow, Scenario } from '../scenario';
import { spawnApi } from '../support/app-entry';
import { interleave } from '../support/interleave';
import { postLoad } from '../support/load';
import { round } from '../support/stats';

const CONNECTIONS = 32;

/**
 * What `REDIS_ACK_REPLICAS=1` costs a single-job POST: the same load against
 * the same primary (with one replica attached), first answering once the
 * primary holds the job, then once the replica does too (WAIT once per
 * coalesced batch). Reported, not targeted: the price depends on the link to
 * the replica, here loopback.
 */
export const replicationAck: Scenario = {
  name: 'replication-ack',
  title: 'REDIS_ACK_REPLICAS=1 vs 0 on single-job POSTs (one replica on loopback)',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const seconds = ctx.size(10, 2);
    const runsEach = ctx.size(2, 1);
    const primary = await startRedis();
    const replica = await startRedis();
    try {
      await attachReplica(replica.port, primary.port);
      const measure = async (ack: number) => {
        const api = await spawnApi(primary.url, ctx.newPrefix(), {
          AUTH_DISABLED: 'true',
          API_RATE_LIMIT: 'sentiment=1000000',
          API_BACKLOG_CAP: 'sentiment=100000000',
          REDIS_ACK_REPLICAS: String(ack),
        });
        try {
          const load = await postLoad(`${api.url}/v1/jobs/sentiment`, JSON.stringify({ payload: { text: 'a fine day' } }), CONNECTIONS, seconds);
          return { acceptedPerSecond: (load.statuses.get(202) ?? 0) / seconds, p99Ms: load.p99Ms, unexpected: load.unexpected };
        } finally {
          await api.app.stop();
        }
      };
      // Alternated (0 1 0 1, no warm-up round) and best of two each: the first run of a fresh process
      // warms up, and a shared machine's noise should not land on one side only. The smoke run does one each.
      const runs = await interleave([0, 1] as const, runsEach, (ack) => measure(ack), { warmUp: false });
      const best = (ack: 0 | 1) => [...(runs.get(ack) ?? [])].sort((a, b) => b.acceptedPerSecond - a.acceptedPerSecond)[0]!;
      const without = best(0);
      const withAck = best(1);
      const note = `${CONNECTIONS} connections, ${seconds} s per run, best of ${runsEach} alternating runs; non-202 answers: ${without.unexpected} without, ${withAck.unexpected} with`;
      return [
        { scenario: 'replication-ack', metric: 'jobs/s accepted (202), ack=1 vs ack=0', floodgate: round(withAck.acceptedPerSecond), baseline: round(without.acceptedPerSecond), better: 'higher', target: null, note },
        { scenario: 'replication-ack', metric: 'p99 ms, ack=1 vs ack=0', floodgate: round(withAck.p99Ms), baseline: round(without.p99Ms), better: 'lower', target: null, note },
      ];
    } finally {
      await replica.stop();
      await primary.stop();
    }
  },
};
