// The embedded Redis for `npm start`, in the topology REDIS_TOPOLOGY names:
//   single    one redis-server on REDIS_PORT (the default)
//   cluster   3 primaries + 3 replicas on REDIS_PORT .. REDIS_PORT+5 (cluster bus: +10000),
//             formed once by infra/redis/form-local-cluster.js
//   sentinel  a primary on REDIS_PORT, replicas on +1 and +2, sentinels on +20000 .. +20002
// Each node is its own pm2 app, bound to 127.0.0.1, data under REDIS_DATA_DIR.
// Used by ecosystem.config.js (the pm2 apps) and the launcher (ports, banner).
// Everything a topology needs is one entry of TOPOLOGIES: adding one is adding an entry.
const { execFileSync } = require('node:child_process');
const { mkdirSync, writeFileSync, existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
/** The monitored master's name in the local sentinel topology. */
const SENTINEL_MASTER = 'floodgate';
/** QUEUE_PARTITIONS on the local cluster when none is given. */
const LOCAL_CLUSTER_PARTITIONS = 'sentiment=6';

function binary(name) {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed: install it (Debian: apt-get install redis-server) or give a Redis with REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS`);
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

/** A fresh directory for one node's data under REDIS_DATA_DIR. */
function dataDir(env, ...parts) {
  const dir = path.join(path.resolve(root, env.REDIS_DATA_DIR), ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const CLUSTER_NODES = [0, 1, 2, 3, 4, 5];
const SENTINEL_DATA_NODES = [0, 1, 2];
const SENTINELS = [0, 1, 2];

/**
 * Each local topology, given the parsed LaunchEnv (`base` is REDIS_PORT):
 *   ports     every TCP port it listens on (the launcher checks they are free)
 *   env       the variables that point every app at it
 *   describe  one line for the start banner
 *   apps      its pm2 apps (creating their data directories)
 */
const TOPOLOGIES = {
  single: {
    ports: (env) => [env.REDIS_PORT],
    env: () => ({}),
    describe: (env) => `redis://127.0.0.1:${env.REDIS_PORT} (embedded, data in ${env.REDIS_DATA_DIR})`,
    apps: (env) => [serverApp(env, 'redis', ['--port', String(env.REDIS_PORT), '--dir', dataDir(env)])],
  },
  cluster: {
    ports: (env) => CLUSTER_NODES.flatMap((i) => [env.REDIS_PORT + i, env.REDIS_PORT + i + 10_000]),
    env: (env) => ({
      REDIS_CLUSTER_NODES: CLUSTER_NODES.map((i) => `127.0.0.1:${env.REDIS_PORT + i}`).join(','),
      // The hot type spread over all three primaries (two partitions each), unless QUEUE_PARTITIONS says otherwise.
      ...(Object.keys(env.QUEUE_PARTITIONS ?? {}).length === 0 ? { QUEUE_PARTITIONS: LOCAL_CLUSTER_PARTITIONS } : {}),
    }),
    describe: (env) =>
      `cluster of 3 primaries + 3 replicas on 127.0.0.1:${env.REDIS_PORT}-${env.REDIS_PORT + 5} (embedded, data in ${env.REDIS_DATA_DIR}/cluster; partitions ${TOPOLOGIES.cluster.env(env).QUEUE_PARTITIONS ?? 'from QUEUE_PARTITIONS'})`,
    apps: (env) => {
      const base = env.REDIS_PORT;
      const nodes = CLUSTER_NODES.map((i) =>
        serverApp(env, `redis-${i + 1}`, [
          '--port', String(base + i),
          '--dir', dataDir(env, 'cluster', String(base + i)),
          '--cluster-enabled', 'yes',
          '--cluster-config-file', 'nodes.conf',
          '--cluster-node-timeout', '5000',
          // The other primaries keep serving their slots while one is being replaced.
          '--cluster-require-full-coverage', 'no',
        ]),
      );
      const form = {
        name: 'redis-cluster-form',
        script: path.join(root, 'infra/redis/form-local-cluster.js'),
        args: nodes.map((_, i) => `127.0.0.1:${base + i}`),
        // Runs once: forms the cluster on the first start, does nothing once nodes.conf holds it.
        autorestart: false,
      };
      return [...nodes, form];
    },
  },
  sentinel: {
    ports: (env) => [...SENTINEL_DATA_NODES.map((i) => env.REDIS_PORT + i), ...SENTINELS.map((i) => env.REDIS_PORT + 20_000 + i)],
    env: (env) => ({ REDIS_SENTINELS: SENTINELS.map((i) => `127.0.0.1:${env.REDIS_PORT + 20_000 + i}`).join(','), REDIS_SENTINEL_MASTER: SENTINEL_MASTER }),
    describe: (env) => {
      const base = env.REDIS_PORT;
      return `sentinel "${SENTINEL_MASTER}": primary 127.0.0.1:${base}, replicas :${base + 1} :${base + 2}, sentinels :${base + 20_000}-${base + 20_002} (embedded, data in ${env.REDIS_DATA_DIR}/sentinel)`;
    },
    apps: (env) => {
      const base = env.REDIS_PORT;
      // Replicas start as replicas of the first node; after a failover the sentinels reconfigure them.
      const data = SENTINEL_DATA_NODES.map((i) =>
        serverApp(env, `redis-${i + 1}`, ['--port', String(base + i), '--dir', dataDir(env, 'sentinel', String(base + i)), ...(i === 0 ? [] : ['--replicaof', '127.0.0.1', String(base)])]),
      );
      const sentinels = SENTINELS.map((i) => {
        const port = base + 20_000 + i;
        const dir = dataDir(env, 'sentinel', `sentinel-${port}`);
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
    },
  },
};

/** The entry REDIS_TOPOLOGY names (LaunchEnv has already refused any other value; single is its default). */
function topologyOf(env) {
  const topology = TOPOLOGIES[env.REDIS_TOPOLOGY ?? 'single'];
  if (!topology) throw new Error(`REDIS_TOPOLOGY must be one of ${Object.keys(TOPOLOGIES).join(', ')}; got "${env.REDIS_TOPOLOGY}"`);
  return topology;
}

/** Every TCP port the local topology listens on (the launcher checks they are free). */
const localRedisPorts = (env) => topologyOf(env).ports(env);
/** The variables that point every app at the local topology. */
const localRedisEnv = (env) => topologyOf(env).env(env);
/** One line for the start banner. */
const describeLocalRedis = (env) => topologyOf(env).describe(env);
/** The pm2 apps of the local topology. */
const localRedisApps = (env) => topologyOf(env).apps(env);

module.exports = { localRedisApps, localRedisEnv, localRedisPorts, describeLocalRedis, SENTINEL_MASTER, TOPOLOGIES };
