/**
 * Baseline for the waiters scenario: the long-poll one writes from BullMQ's
 * documentation, `job.waitUntilFinished(new QueueEvents(...))` in a plain
 * express handler. Every waiting request opens its own QueueEvents, so its own
 * Redis connection, for as long as it waits.
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';
import { redisOptionsFromUrl } from '@floodgate/shared/redis';

const port = Number(process.env.PORT);
const prefix = String(process.env.QUEUE_PREFIX);
const redisUrl = String(process.env.REDIS_URL);
const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
const queue = new Queue('sentiment', { connection, prefix });
// Each waitUntilFinished listens for the queue's 'closing': one listener per waiting request.
queue.setMaxListeners(0);

const app = express();
app.get('/healthz', (_req, res) => {
  res.json({ ok: true });
});
app.get('/v1/jobs/sentiment/:id', async (req, res) => {
  const id = req.params.id;
  const wait = Math.min(30, Number(req.query.wait ?? 0));
  const job = await Job.fromId(queue, id);
  if (!job) {
    res.status(404).json({ error: 'not found' });
    return;
  }
  if (wait > 0) {
    const events = new QueueEvents('sentiment', { prefix, connection: { ...redisOptionsFromUrl(redisUrl), maxRetriesPerRequest: null } });
    try {
      await job.waitUntilFinished(events, wait * 1_000);
    } catch {
      // Failed or timed out: the state below tells which.
    } finally {
      await events.close();
    }
  }
  const state = await queue.getJobState(id);
  const latest = (await Job.fromId(queue, id)) ?? job;
  res.json({
    id,
    state,
    result: latest.returnvalue ?? null,
    finishedAt: latest.finishedOn ? new Date(latest.finishedOn).toISOString() : null,
  });
});
const server = app.listen(port, '127.0.0.1', () => process.send?.('ready'));
process.on('SIGINT', () => {
  server.closeAllConnections();
  process.exit(0);
});
