import type { ProxyEndpoint } from '@floodgate/shared/proxies';
import { Pool, ProxyAgent, type Dispatcher } from 'undici';

/**
 * A CONNECT that failed before the proxy answered it: the proxy could not be
 * reached, dropped the connection, or sent nothing back. Always the proxy's own
 * failure, whatever the site is like: the site is not in the picture yet.
 */
export class ProxyConnectError extends Error {
  /**
   * Not undici's `UND_ERR_SOCKET`: undici takes a socket error while it connects
   * for a passing one and connects again, without end, so a proxy that closes
   * every CONNECT would hold each request until its job's time ran out.
   */
  readonly code = 'FG_PROXY_CONNECT';

  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ProxyConnectError';
  }
}

/** Whether a failure came from a CONNECT the proxy never answered (see {@link ProxyConnectError}). */
export function isProxyConnectFailure(err: unknown): boolean {
  for (let cause = err; cause instanceof Error; cause = cause.cause) if (cause instanceof ProxyConnectError) return true;
  return false;
}

/**
 * The side of an exit that sends CONNECT to the proxy. Its failures are set
 * apart here because, once a tunnel is up, the same errors (a reset, a closed
 * socket, a failed TLS handshake) come from the site, not the proxy.
 */
class ConnectSide extends Pool {
  override connect(options: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData>;
  override connect(options: Dispatcher.ConnectOptions, callback: (err: Error | null, data: Dispatcher.ConnectData) => void): void;
  override connect(
    options: Dispatcher.ConnectOptions,
    callback?: (err: Error | null, data: Dispatcher.ConnectData) => void,
  ): Promise<Dispatcher.ConnectData> | void {
    const connecting = super.connect(options).catch((err: unknown) => {
      throw new ProxyConnectError(err);
    });
    if (!callback) return connecting;
    connecting.then(
      (data) => callback(null, data),
      (err: Error) => callback(err, undefined as unknown as Dispatcher.ConnectData),
    );
  }
}

/**
 * One exit's dispatcher: undici's ProxyAgent, its CONNECTs sent through
 * {@link ConnectSide} so a failure can be told apart as the proxy's own.
 * `tunnelHttp`: http:// pages through a tunnel too (else absolute-form requests).
 */
export function createExitDispatcher(endpoint: ProxyEndpoint, tunnelHttp: boolean): Dispatcher {
  return new ProxyAgent({
    uri: endpoint.url,
    proxyTunnel: tunnelHttp,
    clientFactory: (origin, options) => new ConnectSide(origin, options as Pool.Options),
  });
}
