import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createShutdown } from './shutdown';

describe('createShutdown', () => {
  it('runs every step once, in reverse order, even when one throws', async () => {
    const ran: string[] = [];
    const shutdown = createShutdown({ logger: pino({ level: 'silent' }), graceMs: 1_000, exit: false });
    shutdown.add('redis', () => void ran.push('redis'));
    shutdown.add('queues', () => {
      ran.push('queues');
      throw new Error('boom');
    });
    shutdown.add('server', async () => void ran.push('server'));
    await Promise.all([shutdown.run('test'), shutdown.run('again')]);
    expect(ran).toEqual(['server', 'queues', 'redis']);
  });
});
