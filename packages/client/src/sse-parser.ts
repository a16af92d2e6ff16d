/** One Server-Sent Event as the stream spelt it. */
export interface ServerSentEvent {
  /** `message` when the stream named none. */
  event: string;
  data: string;
  /** The last `id:` seen on the stream so far (ids carry over to later events, as EventSource keeps them). */
  id: string | undefined;
  /** A reconnection delay the server asked for (`retry:`), in milliseconds. */
  retry: number | undefined;
}

/**
 * Reads a `text/event-stream` as chunks of text come, by the rules of the
 * HTML standard's event-stream format: lines end with CRLF, LF or CR; a blank
 * line dispatches the event; `:` lines are comments (keep-alives); `data:` lines
 * join with newlines; one space after the colon is dropped. Written here
 * because this package has no dependencies, and the stream is all it reads.
 */
export class ServerSentEventParser {
  #buffer = '';
  /** A CR ended the last chunk: an LF opening the next one belongs to it. */
  #pendingCr = false;
  #event = '';
  #data: string[] = [];
  #id: string | undefined;
  #retry: number | undefined;

  /** The events `chunk` completes, in order. */
  push(chunk: string): ServerSentEvent[] {
    let text = chunk;
    if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.#pendingCr = text.endsWith('\r');
    this.#buffer += text;
    const lines = this.#buffer.split(/\r\n|\r|\n/);
    this.#buffer = lines.pop() ?? '';
    const events: ServerSentEvent[] = [];
    for (const line of lines) {
      const event = this.#line(line);
      if (event) events.push(event);
    }
    return events;
  }

  #line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.#retry = Number(value);
    return undefined;
  }

  #dispatch(): ServerSentEvent | undefined {
    const event = this.#event || 'message';
    const hasData = this.#data.length > 0;
    const data = this.#data.join('\n');
    this.#event = '';
    this.#data = [];
    // The standard drops an event without data (its id still counts).
    return hasData ? { event, data, id: this.#id, retry: this.#retry } : undefined;
  }
}
