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

/** Scores each text, in order: one pool task for a whole batch of sentiment jobs. */
export function scoreSentiments(payloads: readonly SentimentPayload[]): SentimentResult[] {
  return payloads.map(scoreSentiment);
}
