import type { Readable } from 'node:stream';

/**
 * Reads a response body chunk by chunk and gives up (destroying the stream, so
 * the socket is released) as soon as it exceeds `maxBytes`. Returns
 * `undefined` when it did: the caller decides what a too-large page means. A
 * body is never buffered whole first, so a huge or endless response costs at
 * most `maxBytes` of memory.
 */
export async function readCappedBody(body: Readable, maxBytes: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const bytes = chunk as Buffer;
    total += bytes.byteLength;
    if (total > maxBytes) {
      dropBody(body);
      return undefined;
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

/** Decodes with the response's charset, falling back to UTF-8 for unknown labels. */
export function decodeBody(bytes: Uint8Array, contentType: string): string {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * Destroys a body we will not read further, releasing its socket. undici's
 * body emits an "aborted" error when destroyed; without a listener that error
 * would be uncaught and take the whole worker process down.
 */
export function dropBody(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}
