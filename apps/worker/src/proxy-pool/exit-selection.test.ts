import { parseProxyList } from '@floodgate/shared/proxies';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import type { Exit } from './exit';
import { ExitSelection, type SelectionRequest } from './exit-selection';

const endpoints = parseProxyList('http://10.0.0.1:3128,http://10.0.0.2:3128,http://10.0.0.3:3128', 'test');
const any: SelectionRequest = { excluded: new Set() };

function exits(): Exit[] {
  return endpoints.map((endpoint, index) => ({
    endpoint,
    dispatcher: {} as Dispatcher,
    index,
    active: 0,
    lastUsed: 0,
    health: { coolUntil: 0, strikes: 0, cooledAt: 0 },
  }));
}

const hostOf = (choice: ReturnType<ExitSelection['pick']>) => (typeof choice === 'string' ? choice : choice.endpoint.hostPort);

describe('ExitSelection', () => {
  it('round-robin skips a cooling exit and keeps its turn order', () => {
    const list = exits();
    list[1]!.health = { coolUntil: Date.now() + 60_000, strikes: 1, cooledAt: Date.now() };
    const selection = new ExitSelection(list, 'round-robin', 16);
    expect([1, 2, 3, 4].map(() => hostOf(selection.pick(any)))).toEqual(['10.0.0.1:3128', '10.0.0.3:3128', '10.0.0.1:3128', '10.0.0.3:3128']);
  });

  it('lru takes the exit used least recently', () => {
    const list = exits();
    list[0]!.lastUsed = 3;
    list[1]!.lastUsed = 1;
    list[2]!.lastUsed = 2;
    expect(hostOf(new ExitSelection(list, 'lru', 16).pick(any))).toBe('10.0.0.2:3128');
  });

  it('gives a sticky key the same exit in separate processes, and waits for it rather than take another', () => {
    const [one, two] = [exits(), exits()];
    const own = hostOf(new ExitSelection(one, 'round-robin', 1).pick({ sticky: 'shop.example', excluded: new Set() }));
    expect(hostOf(new ExitSelection(two, 'lru', 1).pick({ sticky: 'shop.example', excluded: new Set() }))).toBe(own);
    one.find((exit) => exit.endpoint.hostPort === own)!.active = 1;
    expect(new ExitSelection(one, 'round-robin', 1).pick({ sticky: 'shop.example', excluded: new Set() })).toBe('wait');
  });

  it('lets one request at a time through an exit back from a cool-down (a probe), and says none when all are out', () => {
    const list = exits();
    const selection = new ExitSelection(list, 'round-robin', 16);
    list[0]!.health.strikes = 1;
    list[0]!.active = 1;
    const excludeOthers = { excluded: new Set([endpoints[1]!.id, endpoints[2]!.id]) };
    expect(selection.pick(excludeOthers)).toBe('wait');
    list[0]!.health.coolUntil = Date.now() + 60_000;
    expect(selection.pick(excludeOthers)).toBe('none');
  });
});
