import { PAGE_EXTRACT_EXCERPT_CHARS, PAGE_EXTRACT_MAX_LINKS } from '@floodgate/shared/jobs';
import { describe, expect, it } from 'vitest';
import { ARTICLE_HTML } from '../../testing/fixture-site';
import { parseHtml, parsePlainText } from './parse-page';

describe('parseHtml', () => {
  it('extracts title, description, excerpt and links', () => {
    expect(parseHtml(ARTICLE_HTML, 'https://site.test/docs/article')).toEqual({
      title: 'Flood Gates',
      description: 'How gates hold water.',
      excerpt: 'Gates Water is held. About About again Team Elsewhere Mail JS',
      links: ['https://site.test/about', 'https://site.test/docs/about', 'https://example.com/x'],
    });
  });

  it('falls back to Open Graph title and description', () => {
    const html = `<head><meta property="og:title" content="OG title"><meta property="og:description" content="OG text"></head>`;
    expect(parseHtml(html, 'https://site.test/')).toMatchObject({ title: 'OG title', description: 'OG text' });
  });

  it('gives null title and description when the page has none', () => {
    expect(parseHtml('<p>just text</p>', 'https://site.test/')).toMatchObject({ title: null, description: null, excerpt: 'just text' });
  });

  it('resolves links against <base href>', () => {
    const html = '<head><base href="https://cdn.test/v2/"></head><a href="page">x</a>';
    expect(parseHtml(html, 'https://site.test/').links).toEqual(['https://cdn.test/v2/page']);
  });

  it('reads text outside script, style, noscript and template, and links and titles wherever they are', () => {
    const html =
      '<head><META Property="OG:Title" content="og"><meta NAME="Description" content=" said "></head><body>' +
      '<script>var s = "<a href=/s>";</script><style>p {}</style><noscript>no script</noscript>' +
      '<template><a href="/in-template">t</a> template text</template>' +
      '<svg><title>drawing</title></svg><title>late</title><p>one</p><p>two<!-- note --></p><a href="/a#part">a</a><a href="/a">again</a></body>';
    expect(parseHtml(html, 'https://site.test/x/')).toEqual({
      // The first <title> in document order, even an SVG's; the Open Graph one only when there is none.
      title: 'drawing',
      description: 'said',
      excerpt: 'drawing late one two a again',
      links: ['https://site.test/in-template', 'https://site.test/a'],
    });
  });

  it('reads a page nested 10,000 deep (the recursive text walk before overflowed the stack there)', () => {
    const html = `${'<div>'.repeat(10_000)}deep<a href="/d">d</a>${'</div>'.repeat(10_000)}`;
    expect(parseHtml(html, 'https://site.test/')).toMatchObject({ excerpt: 'deep d', links: ['https://site.test/d'] });
    // A bound for a slow machine, not a speed check: parsing this page takes about a second.
  }, 30_000);

  it('caps the excerpt and the links', () => {
    const anchors = Array.from({ length: PAGE_EXTRACT_MAX_LINKS + 20 }, (_, i) => `<a href="/p${i}">${'word '.repeat(10)}</a>`);
    const result = parseHtml(`<body>${anchors.join('')}</body>`, 'https://site.test/');
    expect(result.links).toHaveLength(PAGE_EXTRACT_MAX_LINKS);
    expect(result.excerpt).toHaveLength(PAGE_EXTRACT_EXCERPT_CHARS);
  });
});

describe('parsePlainText', () => {
  it('keeps only the collapsed text', () => {
    expect(parsePlainText('  a <b>\n\n c  ')).toEqual({ title: null, description: null, excerpt: 'a <b> c', links: [] });
  });
});
