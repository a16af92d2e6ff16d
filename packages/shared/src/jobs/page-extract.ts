import { z } from 'zod';
import { defineJob } from './define-job';

/** Most links one page-extract result lists. */
export const PAGE_EXTRACT_MAX_LINKS = 100;
/** Length of the text excerpt, in characters. */
export const PAGE_EXTRACT_EXCERPT_CHARS = 500;

export const PageExtractPayload = z.strictObject({
  url: z
    .string()
    .max(2_048)
    .refine((value) => URL.canParse(value), 'must be an absolute URL')
    .refine((value) => /^https?:$/.test(URL.canParse(value) ? new URL(value).protocol : ''), 'only http and https URLs are allowed'),
  /**
   * With a proxy pool: jobs with the same key go out through the same exit
   * while it stays healthy (a site that ties a session to an address). No
   * effect without proxies.
   */
  sticky: z.string().min(1).max(256).optional(),
});
export type PageExtractPayload = z.infer<typeof PageExtractPayload>;

export const PageExtractResult = z.object({
  /** The URL after redirects. */
  finalUrl: z.string(),
  status: z.number().int(),
  title: z.string().nullable(),
  description: z.string().nullable(),
  /** The first characters of the page's visible text, whitespace collapsed. */
  excerpt: z.string(),
  /** Absolute http(s) links found on the page, de-duplicated, at most {@link PAGE_EXTRACT_MAX_LINKS}. */
  links: z.array(z.string()),
  /** The proxy that served the page (`host:port`, never credentials), or null when fetched directly. */
  proxy: z.string().nullable().optional(),
});
export type PageExtractResult = z.infer<typeof PageExtractResult>;

export const pageExtractJob = defineJob({
  type: 'page-extract',
  description: 'Fetches an http(s) page (time- and size-capped) and extracts its title, description, a text excerpt and links.',
  payload: PageExtractPayload,
  result: PageExtractResult,
  concurrency: 16,
  timeoutMs: 20_000,
  attempts: 3,
  backoff: { type: 'exponential', delayMs: 2_000 },
  urlFields: ['url'],
  fetchesPages: true,
});
