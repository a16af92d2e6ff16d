import type { SentimentPayload, SentimentResult } from '@floodgate/shared/jobs';
import Sentiment from 'sentiment';

// One analyzer per thread: building it loads the AFINN word list.
let analyzer: Sentiment | undefined;

/** Scores a text with AFINN-165. */
export function scoreSentiment({ text }: SentimentPayload): SentimentResult {
  analyzer ??= new Sentiment();
  const { score, comparative, positive, negative, tokens } = analyzer.analyze(text);
  return { score, comparative, positive, negative, tokens: tokens.length };
}

/**
 * The sentiment job, a batch type: scores each text of a batch, in order, on a
 * pool thread (registered in cpu-tasks.ts). One hop for many texts, since the hop
 * to a thread and back costs more than scoring a short text.
 */
export function scoreSentiments(payloads: readonly SentimentPayload[]): SentimentResult[] {
  return payloads.map(scoreSentiment);
}
