// pm2 process file for the whole stack. `npm start` runs it with pm2-runtime in
// the foreground; `npm run pm2 -- <command>` talks to that same pm2 (scale, logs).
//
// Timing rule: kill_timeout > the app's shutdown grace > its longest job or request.
// pm2 stops a process with SIGINT and SIGKILLs it when kill_timeout runs out.
const path = require('node:path');
const { availableParallelism } = require('node:os');
const { givenRedisVariables, loadProcessEnv } = require('@floodgate/shared/env');
const { LaunchEnv, resolveApiInstances } = require('@floodgate/shared/stack');
const { localRedisApps, localRedisEnv } = require('./infra/redis/local-topology');

// .env first, as every floodgate process reads it (the launcher already did, and warned of unknown variables).
const { env } = loadProcessEnv(LaunchEnv);
const root = __dirname;

/** A Redis given by env (one node, a cluster or sentinels) is used as is; otherwise pm2 runs one here. */
const redisGiven = givenRedisVariables(env).length > 0;

/** Every app that talks to Redis gets the same variables: the given ones, or the local topology's. */
const redisEnv = redisGiven ? {} : localRedisEnv(env);

const apps = [
  ...(redisGiven ? [] : localRedisApps(env)),
  {
    name: 'api',
    script: path.join(root, 'apps/api/dist/index.js'),
    cwd: root,
    exec_mode: 'cluster',
    // `auto`: one per two cores (one on a 2-core machine, where a second only adds contention; see docs/benchmarks.md).
    instances: resolveApiInstances(env.API_INSTANCES, availableParallelism()),
    env: redisEnv,
    // No @pm2/io in the process: pm2 would otherwise wrap every HTTP request's `emit` (latency histogram) and
    // sample the event loop and V8 heap for `pm2 monit`, about a fifth of the API's single-POST rate; the API
    // has its own metrics (/metrics).
    pmx: false,
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
    // A bounded heap: V8 otherwise lets it balloon through completion storms (see WORKER_MAX_OLD_SPACE_MB).
    node_args: [`--max-old-space-size=${env.WORKER_MAX_OLD_SPACE_MB}`],
    env: redisEnv,
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
    env: redisEnv,
    wait_ready: true,
    listen_timeout: 45_000,
    kill_timeout: env.DASHBOARD_SHUTDOWN_GRACE_MS + 5_000,
    exp_backoff_restart_delay: 200,
  },
];

module.exports = { apps };
