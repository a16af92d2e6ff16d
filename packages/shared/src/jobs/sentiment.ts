import { z } from 'zod';
import { defineJob } from './define-job';

/** Most text one sentiment job scores, in characters. */
export const SENTIMENT_MAX_TEXT = 20_000;

export const SentimentPayload = z.strictObject({
  text: z.string().min(1).max(SENTIMENT_MAX_TEXT),
});
export type SentimentPayload = z.infer<typeof SentimentPayload>;

export const SentimentResult = z.object({
  /** Sum of the AFINN scores of every word. */
  score: z.number(),
  /** `score` divided by the number of tokens. */
  comparative: z.number(),
  positive: z.array(z.string()),
  negative: z.array(z.string()),
  tokens: z.number().int(),
});
export type SentimentResult = z.infer<typeof SentimentResult>;

export const sentimentJob = defineJob({
  type: 'sentiment',
  description: 'Scores a text with the AFINN-165 word list: overall and per-token score, positive and negative words.',
  payload: SentimentPayload,
  result: SentimentResult,
  // One short text costs less than the hop to a pool thread, so jobs go in batches of up to 32;
  // 64 held at once keeps a batch on each of two threads while the next fills.
  concurrency: 64,
  batch: { size: 32, maxWaitMs: 5 },
  cpuBound: true,
  timeoutMs: 10_000,
  attempts: 2,
});
