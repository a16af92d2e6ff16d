// pm2 process file for the whole stack. `npm start` runs it with pm2-runtime in
// the foreground; `npm run pm2 -- <command>` talks to that same pm2 (scale, logs).
//
// Timing rule: kill_timeout > the app's shutdown grace > its longest job or request.
// pm2 stops a process with SIGINT and SIGKILLs it when kill_timeout runs out.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { loadEnv } = require('@floodgate/shared/env');
const { StackEnv } = require('@floodgate/shared/stack');

const env = loadEnv(StackEnv, process.env);
const root = __dirname;

/** The embedded Redis, only when no REDIS_URL was given. */
function redisApp() {
  let redisServer;
  try {
    redisServer = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server is not installed: install it (Debian: apt-get install redis-server) or set REDIS_URL');
  }
  return {
    name: 'redis',
    script: redisServer,
    interpreter: 'none',
    args: [
      path.join(root, 'infra/redis/redis.conf'),
      '--port', String(env.REDIS_PORT),
      '--dir', path.resolve(root, env.REDIS_DATA_DIR),
      '--maxmemory', env.REDIS_MAXMEMORY,
    ],
    autorestart: true,
    // Redis flushes the AOF on SIGINT/SIGTERM; give it time.
    kill_timeout: 10_000,
  };
}

const apps = [
  ...(env.REDIS_URL ? [] : [redisApp()]),
  {
    name: 'api',
    script: path.join(root, 'apps/api/dist/index.js'),
    cwd: root,
    exec_mode: 'cluster',
    instances: env.API_INSTANCES,
    // `ready` is sent only once Redis answered and the port listens.
    wait_ready: true,
    listen_timeout: 45_000,
    kill_timeout: env.API_SHUTDOWN_GRACE_MS + 5_000,
    exp_backoff_restart_delay: 200,
  },
  {
    name: 'worker',
    script: path.join(root, 'apps/worker/dist/index.js'),
    cwd: root,
    exec_mode: 'cluster',
    instances: env.WORKER_INSTANCES,
    wait_ready: true,
    listen_timeout: 45_000,
    // > WORKER_DRAIN_GRACE_MS (35 s) + cleanup (5 s) > the longest job timeout (30 s).
    kill_timeout: env.WORKER_DRAIN_GRACE_MS + 10_000,
    exp_backoff_restart_delay: 200,
  },
  {
    name: 'dashboard',
    script: path.join(root, 'apps/dashboard/dist/index.js'),
    cwd: root,
    exec_mode: 'fork',
    instances: 1,
    wait_ready: true,
    listen_timeout: 45_000,
    kill_timeout: 15_000,
    exp_backoff_restart_delay: 200,
  },
];

module.exports = { apps };
