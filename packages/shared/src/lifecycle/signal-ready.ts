/**
 * Tells pm2 (`wait_ready: true`) this process can really serve. Call it only
 * after Redis answered and the server listens: pm2 swaps processes on `ready`
 * during a reload.
 */
export function signalReady(): void {
  process.send?.('ready');
}
