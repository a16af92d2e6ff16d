import { existsSync, readFileSync } from 'node:fs';

/**
 * One forward proxy ("exit") page-extract may fetch through. Only `url`
 * carries credentials; it goes to the HTTP client and nowhere else. Results,
 * logs, metrics and the API show `hostPort` or `masked`.
 */
export interface ProxyEndpoint {
  /** `hostPort` made safe for a Redis key: `127.0.0.1_8080`. */
  id: string;
  /** `host:port` (the port written out even when it is the scheme's default). */
  hostPort: string;
  /** The URL as configured, credentials included. Never log or return it. */
  url: string;
  /** The URL with user and password replaced by `***`, for display. */
  masked: string;
}

/** Where the proxy list comes from: `FETCH_PROXIES` and/or the file `FETCH_PROXIES_FILE`. */
export interface ProxyListSources {
  /** Comma- (or newline-) separated proxy URLs. */
  list?: string | undefined;
  /** A file with one proxy URL per line; blank lines and `#` comments are skipped. */
  file?: string | undefined;
}

/**
 * The configured proxies, from both sources, in order. An empty list means
 * page-extract fetches directly. A malformed entry, a missing file or the same
 * `host:port` twice is an error at start; error messages never quote
 * credentials.
 */
export function loadProxyList(sources: ProxyListSources): ProxyEndpoint[] {
  const endpoints: ProxyEndpoint[] = [];
  if (sources.list) endpoints.push(...parseProxyList(sources.list, 'FETCH_PROXIES'));
  if (sources.file) {
    if (!existsSync(sources.file)) throw new Error(`FETCH_PROXIES_FILE ${sources.file} does not exist`);
    endpoints.push(...parseProxyList(readFileSync(sources.file, 'utf8'), sources.file));
  }
  const seen = new Set<string>();
  for (const endpoint of endpoints) {
    if (seen.has(endpoint.id)) throw new Error(`proxy ${endpoint.hostPort} is listed twice (FETCH_PROXIES and FETCH_PROXIES_FILE together?)`);
    seen.add(endpoint.id);
  }
  return endpoints;
}

/**
 * Parses proxy URLs separated by commas or newlines (`#` starts a comment
 * line). Each is `http://[user:password@]host:port` (or `https://` for a proxy
 * spoken to over TLS); a path, query or fragment is refused.
 */
export function parseProxyList(text: string, source: string): ProxyEndpoint[] {
  const entries = text
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry, index) => parseProxyUrl(entry, `${source} entry ${index + 1}`));
}

/** One proxy URL; `where` names it in errors (the entry itself is never quoted: it may hold a password). */
export function parseProxyUrl(entry: string, where: string): ProxyEndpoint {
  if (!URL.canParse(entry)) throw new Error(`${where} is not a URL (expected http://user:pass@host:port)`);
  const url = new URL(entry);
  const masked = maskProxyUrl(url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${where} (${masked}) must be an http:// or https:// proxy`);
  if (url.hostname === '') throw new Error(`${where} (${masked}) has no host`);
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    throw new Error(`${where} (${masked}) must be only scheme, credentials, host and port`);
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const hostPort = `${url.hostname}:${port}`;
  return { id: proxyIdOf(hostPort), hostPort, url: url.href, masked };
}

/** A Redis-key-safe id for `host:port`: lower case, anything but letters, digits, `.` and `-` becomes `_`. */
export function proxyIdOf(hostPort: string): string {
  return hostPort.toLowerCase().replace(/[^a-z0-9.-]/g, '_');
}

/** `http://***:***@host:port/` for a URL with credentials, the URL itself otherwise. */
export function maskProxyUrl(url: URL): string {
  if (url.username === '' && url.password === '') return `${url.protocol}//${url.host}`;
  return `${url.protocol}//${url.username === '' ? '' : '***'}${url.password === '' ? '' : ':***'}@${url.host}`;
}
