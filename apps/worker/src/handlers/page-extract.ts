import { defineHandler } from '../define-handler';
import { fetchPage } from './page-extract/fetch-page';
import { createGuardedAgent } from './page-extract/guarded-agent';
import { parseHtml, parsePlainText } from './page-extract/parse-page';

/** How page-extract fetches; index.ts fills these from the environment, tests directly. */
export interface PageExtractOptions {
  /**
   * Most body bytes read; a larger page fails with `response_too_large`.
   * @defaultValue 2097152 (env PAGE_EXTRACT_MAX_BYTES)
   */
  maxBytes: number;
  /**
   * Time one fetch may take, redirects and body included.
   * @defaultValue 10000 (env PAGE_EXTRACT_FETCH_TIMEOUT_MS)
   */
  fetchTimeoutMs: number;
  /**
   * Reach loopback and private addresses (SSRF protection off). Local development only.
   * @defaultValue false (env PAGE_EXTRACT_ALLOW_PRIVATE_NETWORKS)
   */
  allowPrivateNetworks: boolean;
}

/** Fetches an http(s) page through the guarded agent and extracts its content. */
export function createPageExtractHandler(options: PageExtractOptions) {
  const policy = { allowPrivateNetworks: options.allowPrivateNetworks };
  // One agent per process: it pools connections, and its connector is where addresses are checked.
  const agent = createGuardedAgent(policy);
  return defineHandler(
    'page-extract',
    async ({ url }, ctx) => {
      const page = await fetchPage(url, {
        dispatcher: agent,
        policy,
        maxBytes: options.maxBytes,
        timeoutMs: options.fetchTimeoutMs,
        signal: ctx.signal,
      });
      // Pages without content to read (a 404) arrive with an empty body: an empty result.
      const content = page.kind === 'html' ? parseHtml(page.body, page.finalUrl) : parsePlainText(page.body);
      return { finalUrl: page.finalUrl, status: page.status, ...content };
    },
    { close: () => agent.close() },
  );
}
