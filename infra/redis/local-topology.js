// The embedded Redis for `npm start`, in the topology REDIS_TOPOLOGY names:
//   single    one redis-server on REDIS_PORT (the default)
//   cluster   3 primaries + 3 replicas on REDIS_PORT .. REDIS_PORT+5 (cluster bus: +10000),
//             formed once by infra/redis/form-local-cluster.js
//   sentinel  a primary on REDIS_PORT, replicas on +1 and +2, sentinels on +20000 .. +20002
// Each node is its own pm2 app, bound to 127.0.0.1, data under REDIS_DATA_DIR.
// Used by ecosystem.config.js (the pm2 apps) and the launcher (ports, banner).
const { execFileSync } = require('node:child_process');
const { mkdirSync, writeFileSync, existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
/** The monitored master's name in the local sentinel topology. */
const SENTINEL_MASTER = 'floodgate';

function binary(name) {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed: install it (Debian: apt-get install redis-server) or give a Redis with REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS`);
  }
}

/** Every TCP port the local topology listens on (the launcher checks they are free). */
function localRedisPorts(env) {
  const base = env.REDIS_PORT;
  switch (env.REDIS_TOPOLOGY) {
    case 'cluster':
      return [0, 1, 2, 3, 4, 5].flatMap((i) => [base + i, base + i + 10_000]);
    case 'sentinel':
      return [base, base + 1, base + 2, base + 20_000, base + 20_001, base + 20_002];
    default:
      return [base];
  }
}

/** QUEUE_PARTITIONS on the local cluster when none is given. */
const LOCAL_CLUSTER_PARTITIONS = 'sentiment=6';

/** The variables that point every app at the local topology. */
function localRedisEnv(env) {
  const base = env.REDIS_PORT;
  switch (env.REDIS_TOPOLOGY) {
    case 'cluster':
      return {
        REDIS_CLUSTER_NODES: [0, 1, 2, 3, 4, 5].map((i) => `127.0.0.1:${base + i}`).join(','),
        // The hot type spread over all three primaries (two partitions each), unless QUEUE_PARTITIONS says otherwise.
        ...(Object.keys(env.QUEUE_PARTITIONS ?? {}).length === 0 ? { QUEUE_PARTITIONS: LOCAL_CLUSTER_PARTITIONS } : {}),
      };
    case 'sentinel':
      return { REDIS_SENTINELS: [0, 1, 2].map((i) => `127.0.0.1:${base + 20_000 + i}`).join(','), REDIS_SENTINEL_MASTER: SENTINEL_MASTER };
    default:
      return {};
  }
}

/** One line for the start banner. */
function describeLocalRedis(env) {
  const base = env.REDIS_PORT;
  switch (env.REDIS_TOPOLOGY) {
    case 'cluster':
      return `cluster of 3 primaries + 3 replicas on 127.0.0.1:${base}-${base + 5} (embedded, data in ${env.REDIS_DATA_DIR}/cluster; partitions ${localRedisEnv(env).QUEUE_PARTITIONS ?? 'from QUEUE_PARTITIONS'})`;
    case 'sentinel':
      return `sentinel "${SENTINEL_MASTER}": primary 127.0.0.1:${base}, replicas :${base + 1} :${base + 2}, sentinels :${base + 20_000}-${base + 20_002} (embedded, data in ${env.REDIS_DATA_DIR}/sentinel)`;
    default:
      return `redis://127.0.0.1:${base} (embedded, data in ${env.REDIS_DATA_DIR})`;
  }
}

function serverApp(env, name, args) {
  return {
    name,
    script: binary('redis-server'),
    interpreter: 'none',
    args: [path.join(root, 'infra/redis/redis.conf'), '--maxmemory', env.REDIS_MAXMEMORY, ...args],
    autorestart: true,
    // Redis flushes the AOF on SIGINT/SIGTERM; give it time.
    kill_timeout: 10_000,
  };
}

/** The pm2 apps of the local topology. */
function localRedisApps(env) {
  const base = env.REDIS_PORT;
  const dataDir = path.resolve(root, env.REDIS_DATA_DIR);
  if (env.REDIS_TOPOLOGY === 'cluster') {
    const nodes = [0, 1, 2, 3, 4, 5].map((i) => {
      const dir = path.join(dataDir, 'cluster', String(base + i));
      mkdirSync(dir, { recursive: true });
      return serverApp(env, `redis-${i + 1}`, [
        '--port', String(base + i),
        '--dir', dir,
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', '5000',
        // The other primaries keep serving their slots while one is being replaced.
        '--cluster-require-full-coverage', 'no',
      ]);
    });
    const form = {
      name: 'redis-cluster-form',
      script: path.join(root, 'infra/redis/form-local-cluster.js'),
      args: nodes.map((_, i) => `127.0.0.1:${base + i}`),
      // Runs once: forms the cluster on the first start, does nothing once nodes.conf holds it.
      autorestart: false,
    };
    return [...nodes, form];
  }
  if (env.REDIS_TOPOLOGY === 'sentinel') {
    const data = [0, 1, 2].map((i) => {
      const dir = path.join(dataDir, 'sentinel', String(base + i));
      mkdirSync(dir, { recursive: true });
      // Replicas start as replicas of the first node; after a failover the sentinels reconfigure them.
      return serverApp(env, `redis-${i + 1}`, ['--port', String(base + i), '--dir', dir, ...(i === 0 ? [] : ['--replicaof', '127.0.0.1', String(base)])]);
    });
    const sentinels = [0, 1, 2].map((i) => {
      const port = base + 20_000 + i;
      const dir = path.join(dataDir, 'sentinel', `sentinel-${port}`);
      mkdirSync(dir, { recursive: true });
      const config = path.join(dir, 'sentinel.conf');
      // Sentinel rewrites its own file (the current primary, the peers): write it only once.
      if (!existsSync(config)) {
        writeFileSync(
          config,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${base} 2`,
            `sentinel down-after-milliseconds ${SENTINEL_MASTER} 5000`,
            `sentinel failover-timeout ${SENTINEL_MASTER} 30000`,
            '',
          ].join('\n'),
        );
      }
      return { name: `sentinel-${i + 1}`, script: binary('redis-sentinel'), interpreter: 'none', args: [config], autorestart: true, kill_timeout: 5_000 };
    });
    return [...data, ...sentinels];
  }
  mkdirSync(dataDir, { recursive: true });
  return [serverApp(env, 'redis', ['--port', String(base), '--dir', dataDir])];
}

module.exports = { localRedisApps, localRedisEnv, localRedisPorts, describeLocalRedis, SENTINEL_MASTER };
