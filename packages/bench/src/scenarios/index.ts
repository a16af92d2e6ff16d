import type { Scenario } from '../scenario';
import { batchHandlers } from './batch-handlers.bench';
import { cpuScaling } from './cpu-scaling.bench';
import { density } from './density.bench';
import { e2e } from './e2e.bench';
import { enqueue } from './enqueue.bench';
import { fairness } from './fairness.bench';
import { flood } from './flood.bench';
import { tenants10k } from './tenants-10k.bench';
import { noopProcessing } from './noop-processing.bench';
import { pickupLatency } from './pickup-latency.bench';
import { proxyPool } from './proxy-pool.bench';
import { redisMemory } from './redis-memory.bench';
import { replicationAck } from './replication-ack.bench';
import { rollingReload } from './rolling-reload.bench';
import { scaleOut } from './scale-out.bench';
import { tracing } from './tracing.bench';
import { waiters } from './waiters.bench';

/**
 * Every scenario, in the order they run. A new one (10,000 waiters, …) is a module beside these, with its baseline in the same module or
 * under `baselines/`, added here.
 */
export const scenarios: Scenario[] = [noopProcessing, enqueue, flood, cpuScaling, density, pickupLatency, redisMemory, waiters, proxyPool, tracing, batchHandlers, e2e, replicationAck, scaleOut, fairness, tenants10k, rollingReload];
