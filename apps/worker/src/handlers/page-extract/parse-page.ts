import { PAGE_EXTRACT_EXCERPT_CHARS, PAGE_EXTRACT_MAX_LINKS, type PageExtractResult } from '@floodgate/shared/jobs';
import { load, type CheerioAPI } from 'cheerio';

/** What page-extract reports about a page's content. */
export type PageContent = Pick<PageExtractResult, 'title' | 'description' | 'excerpt' | 'links'>;

/** The shape of a DOM node this file reads (domhandler's nodes, structurally). */
interface DomNode {
  type: string;
  data?: string;
  children?: DomNode[];
}

/**
 * Extracts title, description, text excerpt and links from an HTML document.
 * Relative links resolve against `pageUrl` (the URL after redirects) or the
 * page's `<base href>`.
 */
export function parseHtml(html: string, pageUrl: string): PageContent {
  const $ = load(html);
  const title = nonBlank($('title').first().text()) ?? nonBlank($('meta[property="og:title" i]').attr('content'));
  const description =
    nonBlank($('meta[name="description" i]').attr('content')) ?? nonBlank($('meta[property="og:description" i]').attr('content'));
  const links = extractLinks($, pageUrl);
  $('script, style, noscript, template').remove();
  const texts: string[] = [];
  for (const node of $('body').get() as DomNode[]) collectText(node, texts);
  return { title, description, excerpt: excerptOf(texts.join(' ')), links };
}

/** A plain-text page has no title, description or links, only text. */
export function parsePlainText(text: string): PageContent {
  return { title: null, description: null, excerpt: excerptOf(text), links: [] };
}

function extractLinks($: CheerioAPI, pageUrl: string): string[] {
  const baseHref = $('base[href]').first().attr('href');
  const base = baseHref && URL.canParse(baseHref, pageUrl) ? new URL(baseHref, pageUrl).href : pageUrl;
  const links = new Set<string>();
  for (const anchor of $('a[href]').get()) {
    if (links.size >= PAGE_EXTRACT_MAX_LINKS) break;
    const href = $(anchor).attr('href')?.trim();
    if (!href || !URL.canParse(href, base)) continue;
    const url = new URL(href, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    // A fragment points into the same document: `/a#x` and `/a` are one link.
    url.hash = '';
    links.add(url.href);
  }
  return [...links];
}

/**
 * Text nodes in document order. Joined with spaces because cheerio's `.text()`
 * glues adjacent blocks together (`<p>a</p><p>b</p>` would read "ab").
 */
function collectText(node: DomNode, out: string[]): void {
  if (node.type === 'text') out.push(node.data ?? '');
  for (const child of node.children ?? []) collectText(child, out);
}

function excerptOf(text: string): string {
  // By code point, so the cut never splits a surrogate pair.
  return Array.from(collapse(text)).slice(0, PAGE_EXTRACT_EXCERPT_CHARS).join('');
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function nonBlank(text: string | undefined): string | null {
  const collapsed = collapse(text ?? '');
  return collapsed === '' ? null : collapsed;
}
