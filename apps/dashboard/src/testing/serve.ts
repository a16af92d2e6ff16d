import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@floodgate/shared/logger';
import type { Express } from 'express';

/** An app listening on a port the OS picked. */
export interface Served {
  /** `http://127.0.0.1:PORT`, no trailing slash: also the Origin of a page it serves. */
  url: string;
  /** Stops listening and drops open keep-alive connections, so the test file ends promptly. */
  close(): Promise<void>;
}

/** Serves `app` on 127.0.0.1, port 0, over real HTTP. */
export async function serve(app: Express): Promise<Served> {
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** POSTs the login form as the dashboard's own page would (with its Origin). */
export function postLogin(url: string, fields: Record<string, string>, headers: Record<string, string> = { origin: url }): Promise<Response> {
  return fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** The `name=value` of the session cookie a response sets, if it sets one. */
export function sessionCookieOf(res: Response): string | undefined {
  const cookie = res.headers.getSetCookie().find((line) => /^(__Host-)?floodgate_session=/.test(line));
  return cookie?.split(';')[0];
}

/** Logs in and returns the `Cookie` header value that carries the session; fails the test otherwise. */
export async function signIn(url: string, user: string, password: string): Promise<string> {
  const res = await postLogin(url, { user, password });
  const cookie = sessionCookieOf(res);
  if (res.status !== 303 || !cookie) throw new Error(`login as ${user} answered ${res.status} without a session cookie`);
  return cookie;
}

/** One line the app logged: level, message, and the fields. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * A logger that keeps what it is given, for tests that check what is (and is
 * never) logged. pino writes straight to file descriptor 1, out of a test's
 * reach; the app only calls these four methods.
 */
export function recordingLogger(): { logger: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (fieldsOrMsg: unknown, msg?: string): void => {
      if (typeof fieldsOrMsg === 'string') lines.push({ level, msg: fieldsOrMsg, fields: {} });
      else lines.push({ level, msg: msg ?? '', fields: (fieldsOrMsg ?? {}) as Record<string, unknown> });
    };
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger;
  return { logger, lines };
}
