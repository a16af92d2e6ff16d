import Sentiment from 'sentiment';
import { defineHandler } from '../define-handler';

// One analyzer per process: building it loads the AFINN word list.
const analyzer = new Sentiment();

/** Scores a text with AFINN-165. Synchronous and fast (≤ 20 000 characters), so it needs no yielding. */
export const sentimentHandler = defineHandler('sentiment', async ({ text }) => {
  const { score, comparative, positive, negative, tokens } = analyzer.analyze(text);
  return { score, comparative, positive, negative, tokens: tokens.length };
});
