import type { PageExtractResult } from '@floodgate/shared/jobs';
import { inSpan } from '@floodgate/shared/tracing';
import { defineHandler, type WebPage } from '../running/define-handler';
import { parseHtml, parsePlainText } from './page-extract/parse-page';

/**
 * Fetches an http(s) page (`ctx.fetchPage`: the type sets `fetchesPages`, so
 * directly through the guarded agent or through the proxy pool) and extracts its content.
 */
export const pageExtractHandler = defineHandler('page-extract', async ({ url, sticky }, ctx) => resultOf(await ctx.fetchPage(url, { sticky })));

function resultOf(page: WebPage): PageExtractResult {
  // Pages without content to read (a 404) arrive with an empty body: an empty result.
  const content = inSpan('parse', { 'floodgate.page.kind': page.kind ?? 'none' }, () =>
    page.kind === 'html' ? parseHtml(page.body, page.finalUrl) : parsePlainText(page.body),
  );
  return { finalUrl: page.finalUrl, status: page.status, ...content, proxy: page.proxy };
}
