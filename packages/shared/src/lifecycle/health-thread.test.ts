import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

/** The built module: the probe's thread runs compiled JavaScript. */
const LIFECYCLE = join(__dirname, '../../dist/lifecycle/index.js');

/**
 * A process whose main thread starts the probe, says where it listens, then
 * blocks its event loop for `blockMs` when told to on stdin, as a flood or a
 * runaway loop would.
 */
const SCRIPT = `
const { startHealthThread } = require(${JSON.stringify(LIFECYCLE)});
startHealthThread({ port: 0, host: '127.0.0.1', staleMs: 300 }).then((probe) => {
  console.log('port ' + probe.port);
  process.stdin.on('data', (line) => {
    const until = Date.now() + Number(String(line).trim());
    console.log('blocking');
    while (Date.now() < until) {}
    console.log('free');
  });
});
`;

/** `probeProcess`: a process running {@link SCRIPT}, SIGKILLed after the test if it still runs. */
const test = it.extend<{ probeProcess: ChildProcess }>({
  // eslint-disable-next-line no-empty-pattern
  probeProcess: async ({}, use) => {
    const child = spawn(process.execPath, ['-e', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    await use(child);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  },
});

describe('the health probe thread', () => {
  test('answers while the main loop is blocked, and says it is stalled; 200 again once it turns', { timeout: 20_000 }, async ({ probeProcess: proc }) => {
    const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
    const next = async () => String((await lines.next()).value);
    const port = Number((await next()).split(' ')[1]);
    const probe = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return { status: res.status, body: (await res.json()) as { status: string; error?: { code: string } } };
    };
    expect(await probe()).toMatchObject({ status: 200, body: { status: 'ok' } });

    // Blocked for far longer than the staleness limit: only the thread can answer meanwhile.
    proc.stdin!.write('2000\n');
    expect(await next()).toBe('blocking');
    let answer = await probe();
    while (answer.status === 200) answer = await probe();
    expect(answer).toMatchObject({ status: 503, body: { status: 'stalled', error: { code: 'event_loop_stalled' } } });
    expect(await next()).toBe('free');
    while (answer.status !== 200) answer = await probe();
    expect(answer.body.status).toBe('ok');
  });

  it('refuses a taken port with an error naming it', async () => {
    const { startHealthThread } = (await import(LIFECYCLE)) as typeof import('./health-thread');
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(startHealthThread({ port, host: '127.0.0.1' })).rejects.toThrow(`could not listen on 127.0.0.1:${port}`);
    } finally {
      taken.close();
    }
  });
});
