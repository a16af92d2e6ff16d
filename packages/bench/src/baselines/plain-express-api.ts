/**
 * Baseline for the enqueue scenario: the simplest producer API one could write,
 * a plain express handler that calls `queue.add` per request. No validation
 * beyond JSON parsing, no logging, no metrics.
 */
import { Queue } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';

const port = Number(process.env.PORT);
const connection = new Redis(String(process.env.REDIS_URL), { maxRetriesPerRequest: null });
const queue = new Queue('sentiment', { connection, prefix: String(process.env.QUEUE_PREFIX) });

const app = express();
app.use(express.json());
app.post('/v1/jobs/sentiment', async (req, res) => {
  const job = await queue.add('sentiment', req.body.payload, { removeOnComplete: true });
  res.status(202).json({ id: job.id });
});
app.listen(port, '127.0.0.1', () => process.send?.('ready'));
process.on('SIGINT', () => process.exit(0));
