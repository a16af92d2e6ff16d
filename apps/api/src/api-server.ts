import { createServer, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from './http/error-handler';
import { HttpError } from './errors';

/** How long a refused connection may go on sending before it is cut. @defaultValue 2000 */
const DRAIN_MS = 2_000;

/**
 * The API's HTTP server: the app's listener, plus a JSON answer for requests
 * Node's parser refuses before any handler sees them (headers over the limit,
 * malformed requests). Node's own answer has no body in our error shape, and
 * it closes at once while the client may still be sending, which the client
 * sees as a reset connection instead of the answer.
 */
export function createApiServer(listener: RequestListener): Server {
  const server = createServer(listener);
  server.on('clientError', answerClientError);
  return server;
}

const answered = new WeakSet<Duplex>();

function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // The parser may report the same broken request more than once; one answer is enough.
  if (answered.has(socket)) return;
  answered.add(socket);
  // Nothing to answer (the client left), or a response already started on this connection
  // (Node's own check: an answer now would corrupt it).
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new HttpError('headers_too_large', 'The request headers are over the limit (16 KB in all); send less in them.')
      : new HttpError('bad_request', 'The request could not be read.');
  const body = errorBody(error);
  const reason = error.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  // Read and drop what the client still sends: closing with unread data would reset the
  // connection before the client reads the answer. Bounded, so it cannot hold a socket.
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), DRAIN_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
