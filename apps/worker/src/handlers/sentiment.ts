import type { SentimentPayload, SentimentResult } from '@floodgate/shared/jobs';
import Sentiment from 'sentiment';

// One analyzer per thread: building it loads the AFINN word list.
let analyzer: Sentiment | undefined;

/** The sentiment job: scores a text with AFINN-165, on a pool thread (registered in cpu-tasks.ts). */
export function scoreSentiment({ text }: SentimentPayload): SentimentResult {
  analyzer ??= new Sentiment();
  const { score, comparative, positive, negative, tokens } = analyzer.analyze(text);
  return { score, comparative, positive, negative, tokens: tokens.length };
}
