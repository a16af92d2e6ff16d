/**
 * Baseline for the pickup-latency scenario: a raw BullMQ Worker process doing
 * the same sentiment scoring as floodgate's handler, at the same concurrency.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import Sentiment from 'sentiment';

const sentiment = new Sentiment();
const connection = new Redis(String(process.env.REDIS_URL), { maxRetriesPerRequest: null });
const worker = new Worker(
  'sentiment',
  async (job) => {
    const { score, comparative, positive, negative, tokens } = sentiment.analyze((job.data as { text: string }).text);
    return { score, comparative, positive, negative, tokens: tokens.length };
  },
  { connection, prefix: String(process.env.QUEUE_PREFIX), concurrency: Number(process.env.CONCURRENCY) },
);
void worker.waitUntilReady().then(() => process.send?.('ready'));
process.on('SIGINT', () => void worker.close().then(() => process.exit(0)));
