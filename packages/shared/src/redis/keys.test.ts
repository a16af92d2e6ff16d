import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { eachTestConnection, redisTest } from '@floodgate/testkit/fixtures';
import { Queue } from 'bullmq';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { fairPartition, type FairJob } from '../fairness/fair-partition';
import { partitionCounts, raisePartitionHighWater } from '../queues/partitions';
import { queueIdentity } from '../queues/queue-identity';
import { createLogger } from '../logger';
import { RESOLUTIONS } from '../overview/overview-keys';
import { rememberWorkers } from '../overview/overview-reader';
import { startOverviewRecorder } from '../overview/overview-recorder';
import { parseProxyList } from '../proxies/proxy-list';
import { ProxyStateStore } from '../proxies/proxy-state';
import { writeHeartbeat } from '../workers/heartbeat';
import { sampleHeartbeat } from '../test-support/heartbeats.test';
import { createRedis, type RedisClient } from './create-redis';
import { hashTagOf, keySlot } from './key-slot';
import * as keys from './keys';

/**
 * keys.ts names every Redis key and channel floodgate builds. These tests pin
 * each name byte for byte (existing data and the Lua scripts depend on them),
 * check that keys used together share a hash tag (one Redis Cluster slot),
 * that the scripts write no key the module does not name, and that no other
 * file builds a key.
 */

const logger = createLogger({ name: 'test', level: 'silent', pretty: false });

/** Opens a real BullMQ queue of `type`'s partition `partition` under `prefix`, as floodgate opens it. */
type OpenQueue = (type: string, prefix: string, partition?: number) => Queue;

/**
 * The file's private Redis; each test's own worker connection to it, and its own
 * `openQueue`, whose queues are closed after the test.
 */
const test = redisTest.extend<{ connection: RedisClient; openQueue: OpenQueue }>({
  connection: eachTestConnection((url) => createRedis('worker', { url, logger })),
  openQueue: async ({ connection }, use) => {
    const opened: Queue[] = [];
    await use((type, prefix, partition = 0) => {
      const { name, prefix: keyPrefix } = queueIdentity(type, prefix, partition);
      const queue = new Queue(name, { connection, prefix: keyPrefix });
      opened.push(queue);
      return queue;
    });
    await Promise.all(opened.map((queue) => queue.close()));
  },
});

/** One key builder's example: the export that built it, the key, the key as earlier versions wrote it, and its hash tag. */
interface Example {
  builder: keyof typeof keys;
  key: string;
  expected: string;
  tag: string | undefined;
}

const at = 1_700_000_000_000;

/** Every builder of keys.ts, with a prefix without a hash tag (the default `floodgate`): keys spread over tags. */
function plainExamples(openQueue: OpenQueue): Example[] {
  const p = 'floodgate';
  const sentiment = openQueue('sentiment', p);
  const fair = keys.fairKeys(sentiment);
  const q = 'floodgate:{sentiment}:';
  return [
    { builder: 'bullQueueKeys', key: keys.bullQueueKeys(queueIdentity('sentiment', p)).wait!, expected: `${q}wait`, tag: 'sentiment' },
    { builder: 'bullQueueKeys', key: keys.bullQueueKeys(queueIdentity('sentiment', p, 1)).wait!, expected: 'floodgate:{sentiment.p1.11672}:wait', tag: 'sentiment.p1.11672' },
    { builder: 'queueKeyBase', key: keys.queueKeyBase(sentiment), expected: q, tag: 'sentiment' },
    { builder: 'jobKey', key: keys.jobKey(sentiment, 'p0-abc'), expected: `${q}p0-abc`, tag: 'sentiment' },
    { builder: 'idempotencyRecordKey', key: keys.idempotencyRecordKey(sentiment, 'p0-abc'), expected: `${q}idem:p0-abc`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.base, expected: q, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.meta, expected: `${q}fair:meta`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.ready, expected: `${q}fair:ready`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.backlog, expected: `${q}fair:backlog`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.due, expected: `${q}fair:due`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.paused, expected: `${q}fair:paused`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.running, expected: `${q}fair:running`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.recent, expected: `${q}fair:recent`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.runningOf('key:abc'), expected: `${q}fair:r:key:abc`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.waitsOf('key:abc'), expected: `${q}fair:w:key:abc`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.tenantOf('key:abc'), expected: `${q}fair:t:key:abc`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.groupsOf('key:abc'), expected: `${q}fair:g:key:abc`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.laneOf('key:abc', 'eu'), expected: `${q}fair:l:key:abc/eu`, tag: 'sentiment' },
    { builder: 'fairKeys', key: fair.priorityLaneOf('key:abc', ''), expected: `${q}fair:p:key:abc/`, tag: 'sentiment' },
    { builder: 'floodgateKey', key: keys.floodgateKey(p, 'things', 'thing:1'), expected: 'floodgate:{_things}:thing:1', tag: '_things' },
    { builder: 'heartbeatKey', key: keys.heartbeatKey(p, 'host-a:4242'), expected: 'floodgate:{_workers}:workers:host-a:4242', tag: '_workers' },
    { builder: 'highWaterKey', key: keys.highWaterKey(p), expected: 'floodgate:{_partitions}:partitions:high-water', tag: '_partitions' },
    { builder: 'proxyStateKey', key: keys.proxyStateKey(p, '10.0.0.5_3128'), expected: 'floodgate:{_proxies}:proxy:10.0.0.5_3128', tag: '_proxies' },
    { builder: 'proxyRegistryKey', key: keys.proxyRegistryKey(p), expected: 'floodgate:{_proxies}:proxies', tag: '_proxies' },
    { builder: 'proxyCheckLockKey', key: keys.proxyCheckLockKey(p, '10.0.0.5_3128'), expected: 'floodgate:{_proxies}:proxy:10.0.0.5_3128:check', tag: '_proxies' },
    { builder: 'rateLimitKey', key: keys.rateLimitKey(p, 'sentiment', 'key:abc'), expected: 'floodgate:rate:sentiment:key:abc', tag: undefined },
    { builder: 'cancelChannel', key: keys.cancelChannel(p), expected: 'floodgate:cancel', tag: undefined },
    { builder: 'bucketKey', key: keys.bucketKey(p, RESOLUTIONS[0], at), expected: 'floodgate:{overview}:10s:1700000000000', tag: 'overview' },
    { builder: 'sourcesKey', key: keys.sourcesKey(p), expected: 'floodgate:{overview}:sources', tag: 'overview' },
    { builder: 'seenWorkersKey', key: keys.seenWorkersKey(p), expected: 'floodgate:{overview}:workers-seen', tag: 'overview' },
  ];
}

/** The same with a tagged prefix (`{floodgate}`, the layout before queues spread): every key on the prefix's tag. */
function taggedExamples(openQueue: OpenQueue): Example[] {
  const p = '{floodgate}';
  const sentiment = openQueue('sentiment', p);
  const fair = keys.fairKeys(sentiment);
  const q = '{floodgate}:sentiment:';
  const tag = 'floodgate';
  return [
    { builder: 'bullQueueKeys', key: keys.bullQueueKeys(queueIdentity('sentiment', p)).wait!, expected: `${q}wait`, tag },
    { builder: 'bullQueueKeys', key: keys.bullQueueKeys(queueIdentity('sentiment', p, 1)).wait!, expected: '{floodgate}:sentiment.p1:wait', tag },
    { builder: 'queueKeyBase', key: keys.queueKeyBase(sentiment), expected: q, tag },
    { builder: 'jobKey', key: keys.jobKey(sentiment, '17'), expected: `${q}17`, tag },
    { builder: 'idempotencyRecordKey', key: keys.idempotencyRecordKey(sentiment, 'p0-abc'), expected: `${q}idem:p0-abc`, tag },
    { builder: 'fairKeys', key: fair.meta, expected: `${q}fair:meta`, tag },
    { builder: 'fairKeys', key: fair.runningOf('ip:10.0.0.1'), expected: `${q}fair:r:ip:10.0.0.1`, tag },
    { builder: 'fairKeys', key: fair.laneOf('anonymous', 'g'), expected: `${q}fair:l:anonymous/g`, tag },
    { builder: 'floodgateKey', key: keys.floodgateKey(p, 'things', 'thing:1'), expected: '{floodgate}:thing:1', tag },
    { builder: 'heartbeatKey', key: keys.heartbeatKey(p, 'host-a:4242'), expected: '{floodgate}:workers:host-a:4242', tag },
    { builder: 'highWaterKey', key: keys.highWaterKey(p), expected: '{floodgate}:partitions:high-water', tag },
    { builder: 'proxyStateKey', key: keys.proxyStateKey(p, '10.0.0.5_3128'), expected: '{floodgate}:proxy:10.0.0.5_3128', tag },
    { builder: 'proxyRegistryKey', key: keys.proxyRegistryKey(p), expected: '{floodgate}:proxies', tag },
    { builder: 'proxyCheckLockKey', key: keys.proxyCheckLockKey(p, '10.0.0.5_3128'), expected: '{floodgate}:proxy:10.0.0.5_3128:check', tag },
    { builder: 'rateLimitKey', key: keys.rateLimitKey(p, 'sentiment', 'key:abc'), expected: '{floodgate}:rate:sentiment:key:abc', tag },
    { builder: 'cancelChannel', key: keys.cancelChannel(p), expected: '{floodgate}:cancel', tag },
    { builder: 'bucketKey', key: keys.bucketKey(p, RESOLUTIONS[2], at), expected: '{floodgate}:overview:5m:1700000000000', tag },
    { builder: 'sourcesKey', key: keys.sourcesKey(p), expected: '{floodgate}:overview:sources', tag },
    { builder: 'seenWorkersKey', key: keys.seenWorkersKey(p), expected: '{floodgate}:overview:workers-seen', tag },
  ];
}

/** The builders (functions) keys.ts exports. */
const builders = Object.entries(keys)
  .filter(([, value]) => typeof value === 'function')
  .map(([name]) => name)
  .sort();

describe('every key and channel name', () => {
  test('is what earlier versions wrote, with its hash tag, under a plain prefix', ({ openQueue }) => {
    for (const example of plainExamples(openQueue)) {
      expect(example.key, example.builder).toBe(example.expected);
      expect(hashTagOf(example.key), example.key).toBe(example.tag);
    }
  });

  test('is what earlier versions wrote under a tagged prefix, all on the prefix tag', ({ openQueue }) => {
    for (const example of taggedExamples(openQueue)) {
      expect(example.key, example.builder).toBe(example.expected);
      expect(hashTagOf(example.key), example.key).toBe(example.tag);
    }
  });

  test('has an example for each builder keys.ts exports, under both prefixes', ({ openQueue }) => {
    expect([...new Set(plainExamples(openQueue).map((example) => example.builder))].sort()).toEqual(builders);
    expect([...new Set(taggedExamples(openQueue).map((example) => example.builder))].sort()).toEqual(builders);
  });

  it('documents each builder in keys.ts: what the key holds and its hash tag', () => {
    const sf = ts.createSourceFile('keys.ts', readFileSync(join(__dirname, 'keys.ts'), 'utf8'), ts.ScriptTarget.Latest, true);
    const documented = sf.statements.filter(ts.isFunctionDeclaration).filter((fn) => fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword));
    expect(documented.map((fn) => fn.name!.text).sort()).toEqual(builders);
    for (const fn of documented) {
      const doc = ts.getJSDocCommentsAndTags(fn).map((node) => node.getText(sf)).join('\n');
      expect(doc, fn.name!.text).toMatch(/Hash tag: /);
      expect(doc, fn.name!.text).toMatch(/`[^`]*<prefix>[^`]*`/); // the key's shape
    }
  });

  it('keeps the names of prefixes with a stray brace (the overview and the shared keys test for a tag differently, as they always did)', () => {
    // `a{b` has a brace but no tag: the shared keys take a `{_group}` tag, the overview's take none.
    expect(keys.heartbeatKey('a{b', 'h:1')).toBe('a{b:{_workers}:workers:h:1');
    expect(keys.sourcesKey('a{b')).toBe('a{b:overview:sources');
    expect(keys.bucketKey('a{}b', RESOLUTIONS[1], at)).toBe('a{}b:overview:1m:1700000000000');
    expect(keys.proxyRegistryKey('a{}b')).toBe('a{}b:{_proxies}:proxies');
    expect(keys.cancelChannel('')).toBe(':cancel');
    expect(keys.rateLimitKey('x{y}', 'compute', 'anonymous')).toBe('x{y}:rate:compute:anonymous');
  });
});

describe('keys used together', () => {
  /** Every key of one partition queue: BullMQ's own and floodgate's beside them. */
  function queueKeys(queue: Queue): string[] {
    const fair = keys.fairKeys(queue);
    const tenant = 'key:0123456789ab';
    return [
      ...Object.values(queue.keys),
      keys.queueKeyBase(queue),
      keys.jobKey(queue, 'p1-xyz'),
      keys.idempotencyRecordKey(queue, 'p1-xyz'),
      fair.meta,
      fair.ready,
      fair.backlog,
      fair.due,
      fair.paused,
      fair.running,
      fair.recent,
      fair.runningOf(tenant),
      fair.waitsOf(tenant),
      fair.tenantOf(tenant),
      fair.groupsOf(tenant),
      fair.laneOf(tenant, 'eu'),
      fair.priorityLaneOf(tenant, 'eu'),
    ];
  }

  const oneTag = (list: string[]) => [...new Set(list.map((key) => hashTagOf(key)))];
  const oneSlot = (list: string[]) => [...new Set(list.map(keySlot))];

  test("share a queue's hash tag: BullMQ's keys, its jobs, idempotency records and fairness keys, for every partition", ({ openQueue }) => {
    for (const prefix of ['floodgate', '{floodgate}']) {
      for (const partition of [0, 1, 2]) {
        const queue = openQueue('compute', prefix, partition);
        const list = queueKeys(queue);
        expect(list.length).toBeGreaterThan(20);
        expect(oneTag(list), `${prefix} partition ${partition}`).toEqual([hashTagOf(queue.keys.wait!)]);
        expect(oneSlot(list)).toHaveLength(1);
        expect(keys.bullQueueKeys(queueIdentity('compute', prefix, partition))).toEqual(queue.keys);
      }
    }
  });

  test('spread partitions over tags under a plain prefix, and keep them on the prefix tag under a tagged one', ({ openQueue }) => {
    const plain = [0, 1, 2].map((partition) => hashTagOf(openQueue('compute', 'floodgate', partition).keys.wait!));
    expect(new Set(plain).size).toBe(3);
    const tagged = [0, 1, 2].map((partition) => hashTagOf(openQueue('compute', '{floodgate}', partition).keys.wait!));
    expect(tagged).toEqual(['floodgate', 'floodgate', 'floodgate']);
  });

  test('share one tag per group outside the queues: heartbeats, proxies, overview', ({ openQueue }) => {
    for (const prefix of ['floodgate', '{floodgate}']) {
      const heartbeats = ['a:1', 'b:2', 'host.example.com:99999'].map((id) => keys.heartbeatKey(prefix, id));
      const proxies = ['1.2.3.4_80', '[::1]_3128'].flatMap((id) => [keys.proxyStateKey(prefix, id), keys.proxyCheckLockKey(prefix, id)]).concat(keys.proxyRegistryKey(prefix));
      const overview = RESOLUTIONS.flatMap((resolution) => [at, at + resolution.bucketMs].map((start) => keys.bucketKey(prefix, resolution, start))).concat(
        keys.sourcesKey(prefix),
        keys.seenWorkersKey(prefix),
      );
      for (const group of [heartbeats, proxies, overview, [keys.highWaterKey(prefix)]]) {
        expect(oneTag(group), group[0]).toHaveLength(1);
        expect(oneSlot(group), group[0]).toHaveLength(1);
      }
      if (prefix === 'floodgate') {
        expect([heartbeats, proxies, overview, [keys.highWaterKey(prefix)]].map((group) => hashTagOf(group[0]!))).toEqual(['_workers', '_proxies', 'overview', '_partitions']);
      } else {
        expect(oneTag([...heartbeats, ...proxies, ...overview, ...queueKeys(openQueue('sentiment', prefix))])).toEqual(['floodgate']);
      }
    }
  });
});

describe('what the scripts and writers store', () => {
  function fairJob(id: string, tenant: string, group: string, extra: Partial<FairJob> = {}): FairJob {
    return {
      id,
      name: 'census',
      data: '{}',
      opts: JSON.stringify({ attempts: 1, tenant }),
      timestamp: Date.now(),
      delayMs: 0,
      priority: 0,
      tenant: { id: tenant, group },
      weight: 2,
      backlogCap: 0,
      ...extra,
    };
  }

  const beat = (id: string) => sampleHeartbeat(id, new Date());

  for (const prefix of ['census', '{census}']) {
    test(`are only keys keys.ts names (prefix ${prefix})`, async ({ connection: redis, openQueue }) => {
      await redis.flushall();
      const queue = openQueue('census', prefix);
      const fair = fairPartition(redis, queue);
      const tenant = 'key:0123456789ab';
      const jobs = [
        fairJob('p0-first', tenant, '', { record: { digest: 'd1', owner: 'o1', ttlSeconds: 600, nonce: 'n1' } }),
        fairJob('p0-urgent', tenant, 'eu', { priority: 3 }),
        fairJob('p0-later', 'anonymous', '', { delayMs: 60_000 }),
      ];
      for (const job of jobs) expect((await fair.add(job)).outcome).toBe('added');
      await fair.register('w1', 1, 10_000, 1);
      await fair.settle({ now: Date.now(), finished: [], retrying: [], waits: new Map([[tenant, [5]]]) });
      await fair.pauseTenant('anonymous', true);

      await writeHeartbeat(redis, prefix, beat('h:1'), 60_000);
      const [proxy] = parseProxyList('http://10.0.0.5:3128', 'test');
      const store = new ProxyStateStore(redis, prefix);
      await store.recordSuccess(proxy!, Date.now());
      expect(await store.claimCheck(proxy!, 60_000)).toBe(true);
      await raisePartitionHighWater(redis, prefix, partitionCounts());
      const recorder = startOverviewRecorder({ redis, prefix, source: 'test:h:1', logger, flushEveryMs: 60_000 });
      recorder.count('c:census:completed');
      await recorder.flush();
      await recorder.stop();
      await rememberWorkers(redis, prefix, [beat('h:1')]);

      const now = Date.now();
      const fk = keys.fairKeys(queue);
      const named = new Set<string>([
        ...Object.values(queue.keys),
        ...jobs.map((job) => keys.jobKey(queue, job.id)),
        ...jobs.map((job) => keys.idempotencyRecordKey(queue, job.id)),
        ...[fk.meta, fk.ready, fk.backlog, fk.due, fk.paused, fk.running, fk.recent],
        ...[tenant, 'anonymous'].flatMap((t) => [fk.runningOf(t), fk.waitsOf(t), fk.tenantOf(t), fk.groupsOf(t), ...['', 'eu'].flatMap((g) => [fk.laneOf(t, g), fk.priorityLaneOf(t, g)])]),
        keys.heartbeatKey(prefix, 'h:1'),
        keys.proxyStateKey(prefix, proxy!.id),
        keys.proxyRegistryKey(prefix),
        keys.proxyCheckLockKey(prefix, proxy!.id),
        keys.highWaterKey(prefix),
        ...RESOLUTIONS.flatMap((resolution) => [now, now - resolution.bucketMs].map((t) => keys.bucketKey(prefix, resolution, Math.floor(t / resolution.bucketMs) * resolution.bucketMs))),
        keys.sourcesKey(prefix),
        keys.seenWorkersKey(prefix),
      ]);
      // What this prefix holds (the other tests' queues write their own `meta` under other prefixes).
      const stored = (await redis.keys('*')).filter((key) => key.startsWith(`${prefix}:`)).sort();
      expect(stored.filter((key) => !named.has(key))).toEqual([]);
      // And what each writer was asked to write is there, under the name keys.ts gives.
      for (const key of [
        keys.idempotencyRecordKey(queue, 'p0-first'),
        keys.jobKey(queue, 'p0-later'),
        fk.meta,
        fk.backlog,
        fk.due,
        fk.paused,
        fk.tenantOf(tenant),
        keys.heartbeatKey(prefix, 'h:1'),
        keys.proxyStateKey(prefix, proxy!.id),
        keys.proxyRegistryKey(prefix),
        keys.proxyCheckLockKey(prefix, proxy!.id),
        keys.highWaterKey(prefix),
        keys.sourcesKey(prefix),
        keys.seenWorkersKey(prefix),
      ]) {
        expect(stored, key).toContain(key);
      }
      expect(stored.some((key) => key.startsWith(keys.bucketKey(prefix, RESOLUTIONS[0], 0).replace(/0$/, '')))).toBe(true);
    });
  }

  test('hears a cancel on the channel keys.ts names', async ({ connection: redis }) => {
    const subscriber = redis.duplicate();
    const heard = new Promise<string>((resolve) => subscriber.on('message', (channel: string) => resolve(channel)));
    await subscriber.subscribe(keys.cancelChannel('floodgate'));
    expect(await redis.publish('floodgate:cancel', '{}')).toBe(1);
    expect(await heard).toBe('floodgate:cancel');
    subscriber.disconnect();
  });
});

// ---------------------------------------------------------------------------
// No other file builds a key.

const repoRoot = join(__dirname, '..', '..', '..', '..');
const KEYS_MODULE = 'packages/shared/src/redis/keys.ts';

/** Pieces of key names in string and template literals (without white space: not a message): BullMQ's and floodgate's suffixes, the groups' tags. */
const KEY_PIECE = /fair:|idem:|:wait\b|\{_|\{overview\}|:overview\b|\bworkers:|\bproxy:|\brate:|:cancel\b|partitions:|high-water|workers-seen|:sources\b/;
/** What a name is built from: a prefix, a queue's qualified name or key base. */
const KEY_BASE = /prefix|qualifiedName|keyBase|toKey|\bbase\b/i;
/** A queue's key base, which a job id or suffix is put right after. */
const QUEUE_BASE = /qualifiedName|keyBase|toKey|\bbase\b/i;
/** Calls that build keys: BullMQ's own builders, and floodgate's helper. */
const KEY_CALL = /^(toKey|getKeys|floodgateKey|QueueKeys)$/;

/** Where `source` builds a Redis key name itself (comments do not count): one line per finding. */
function keyBuilding(source: string, file = 'source.ts'): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const say = (node: ts.Node, what: string) => found.push(`${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      if (!/\s/.test(node.text) && KEY_PIECE.test(node.text)) say(node, `key name piece ${JSON.stringify(node.text)}`);
    }
    if (ts.isTemplateExpression(node)) {
      node.templateSpans.forEach((span, i) => {
        const on = span.expression.getText(sf);
        const next = span.literal.text;
        const joined = next === '' && i < node.templateSpans.length - 1; // `${base}${id}`
        if ((KEY_BASE.test(on) && /^:|^[a-z]/.test(next)) || (QUEUE_BASE.test(on) && joined)) say(span, `key built on ${on}`);
      });
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const sides = [node.left, node.right];
      if (sides.some((side) => KEY_BASE.test(side.getText(sf))) && sides.some((side) => ts.isStringLiteralLike(side) && /^:/.test(side.text))) say(node, `key joined with +`);
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      if (KEY_CALL.test(name)) say(node, `${name}(...)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The shipped TypeScript of the apps and of shared (tests excluded), relative to the repo. */
function shippedSources(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : walk(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
    });
  const apps = readdirSync(join(repoRoot, 'apps')).map((app) => join(repoRoot, 'apps', app, 'src'));
  return [...apps, join(repoRoot, 'packages/shared/src')].flatMap(walk).map((path) => relative(repoRoot, path));
}

describe('key names outside keys.ts', () => {
  it('are found by the check when a file builds one (the ways the old code did)', () => {
    const built = [
      'const k = `${prefix}:rate:${type}:${client}`;',
      'const k = `${deps.prefix}:cancel`;',
      "const k = `${queue.toKey('')}idem:${id}`;",
      'const k = keySlot(`${prefix}:${name}:wait`);',
      'const k = `${base}fair:${suffix}`;',
      "const k = base + 'fair:meta';",
      "const k = `${p}:{_workers}:` + id;",
      "const k = redis.hmget(`${fairKeys(queue).base}${id}`, 'delay');",
      "const k = floodgateKey(prefix, 'workers', `workers:${id}`);",
      'const k = prefix.includes("{") ? `${prefix}:overview` : `${prefix}:{overview}`;',
      "const k = options.prefix + ':sources';",
      'const k = `${queue.qualifiedName}:events`;',
      'const k = new QueueKeys(prefix).getKeys(name);',
      "const k = queue.toKey('');",
    ];
    for (const line of built) expect(keyBuilding(line), line).not.toEqual([]);
    expect(keyBuilding('// `${prefix}:cancel`, fair:meta\n/** `<prefix>:{_workers}:workers:<id>` */\nconst k = heartbeatKey(prefix, id);')).toEqual([]);
  });

  it('are built nowhere in the apps or shared but in keys.ts', () => {
    const files = shippedSources();
    expect(files).toContain(KEYS_MODULE);
    expect(files.length).toBeGreaterThan(100);
    const findings = files.flatMap((file) => keyBuilding(readFileSync(join(repoRoot, file), 'utf8'), file));
    expect(findings.filter((finding) => !finding.startsWith(`${KEYS_MODULE}:`))).toEqual([]);
    // The check sees keys.ts build them: it would see another file do it.
    expect(findings.length).toBeGreaterThan(10);
  });
});
