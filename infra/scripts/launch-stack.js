// Runs the whole stack under pm2-runtime in the foreground and prints where it
// serves. Called by `npm start` after bootstrap and build; Ctrl-C stops it all.
// `--only api,worker` runs just those apps (one host of several: see docs/operations.md,
// "Many hosts"); they then need a Redis given by env, shared by every host.
const { execFile, spawn } = require('node:child_process');
const { promisify } = require('node:util');
const { randomBytes } = require('node:crypto');
const { mkdirSync } = require('node:fs');
const { createServer } = require('node:net');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { describeUnknownVariables, DOTENV_FILE, loadProcessEnv } = require('@floodgate/shared/env');
const { describeRedisTarget } = require('@floodgate/shared/redis');
const { givenRedisVariables, resolveRedisTarget } = require('@floodgate/shared/env');
const { describeLocalRedis, localRedisPorts } = require('../redis/local-topology');
const { LaunchEnv } = require('@floodgate/shared/stack');
const { appendApiKey, generateApiKey, loadApiKeys } = require('@floodgate/shared/api-keys');

const root = path.resolve(__dirname, '../..');
const say = (line) => process.stderr.write(`\x1b[1m[floodgate]\x1b[0m ${line}\n`);
// .env under the real environment; what it supplies reaches pm2 and every app through childEnv below.
const { env, notes } = loadProcessEnv(LaunchEnv);
if (notes.fromFile) say(`read ${DOTENV_FILE}: ${notes.fromFile.length > 0 ? notes.fromFile.join(', ') : 'nothing the environment does not set already'}`);
if (notes.unknown.length > 0) say(`warning: nothing reads ${describeUnknownVariables(notes.unknown).join(', ')}`);
const redisGiven = givenRedisVariables(env).length > 0;
const APPS = ['api', 'worker', 'dashboard'];
const { values: args } = parseArgs({ options: { only: { type: 'string' } } });
/** The apps this host runs. */
const only = args.only ? args.only.split(',').map((name) => name.trim()) : APPS;

async function main() {
  const unknown = only.filter((name) => !APPS.includes(name));
  if (unknown.length > 0) {
    say(`--only takes ${APPS.join(', ')}; got ${unknown.join(', ')}`);
    process.exit(1);
  }
  if (args.only && !redisGiven) {
    say('--only runs part of the stack on this host: give the Redis every host shares with REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS.');
    process.exit(1);
  }
  const ports = [
    ...(only.includes('api') ? [['API_PORT', env.API_HOST, env.API_PORT]] : []),
    ...(only.includes('dashboard') ? [['DASHBOARD_PORT', env.DASHBOARD_HOST, env.DASHBOARD_PORT]] : []),
    ...(redisGiven ? [] : localRedisPorts(env).map((port) => ['REDIS_PORT', '127.0.0.1', port])),
  ];
  for (const [name, host, port] of ports) {
    if (!(await isFree(host, port))) {
      say(`port ${port} on ${host} is already in use; set ${name} to another port (or stop what uses it).`);
      process.exit(1);
    }
  }

  mkdirSync(path.resolve(root, env.REDIS_DATA_DIR), { recursive: true });
  const pm2Home = path.join(root, '.data/pm2');
  mkdirSync(pm2Home, { recursive: true });
  // One set of dashboard secrets for the whole run, so pm2 restarts of the
  // dashboard keep passwords and sessions. Never in production: there the
  // dashboard refuses to start without real ones (see apps/dashboard/src/credentials.ts).
  const production = env.NODE_ENV === 'production';
  const generate = (bytes) => (production ? undefined : randomBytes(bytes).toString('base64url'));
  const dashboardPassword = env.DASHBOARD_PASSWORD ?? generate(18);
  const viewerPassword = env.DASHBOARD_VIEWER_PASSWORD ?? generate(18);
  const sessionSecret = env.DASHBOARD_SESSION_SECRET ?? generate(32);

  const firstKey = only.includes('api') ? ensureApiKey() : undefined;

  const childEnv = {
    ...process.env,
    PM2_HOME: pm2Home,
    ...(dashboardPassword ? { DASHBOARD_PASSWORD: dashboardPassword } : {}),
    ...(viewerPassword ? { DASHBOARD_VIEWER_PASSWORD: viewerPassword } : {}),
    ...(sessionSecret ? { DASHBOARD_SESSION_SECRET: sessionSecret } : {}),
  };
  const child = spawn(path.join(root, 'node_modules/.bin/pm2-runtime'), ['start', 'ecosystem.config.js', ...(args.only ? ['--only', only.join(',')] : [])], {
    cwd: root,
    stdio: 'inherit',
    // Own process group: Ctrl-C reaches us once and we pass it on, rather than
    // every app getting it at the same time as pm2.
    detached: true,
    env: childEnv,
  });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      say('stopping the stack (jobs in flight are allowed to finish)…');
      stopInOrder(childEnv).finally(() => child.kill('SIGINT'));
    });
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

  const apiUrl = `http://${env.API_HOST}:${env.API_PORT}`;
  const dashboardUrl = `http://${env.DASHBOARD_HOST}:${env.DASHBOARD_PORT}/admin/queues`;
  if (only.includes('api')) await waitUntilAnswers(`${apiUrl}/readyz`);
  if (only.includes('dashboard')) await waitUntilAnswers(`http://${env.DASHBOARD_HOST}:${env.DASHBOARD_PORT}/healthz`);
  const banner = [
    '',
    args.only ? `floodgate is up on this host: ${only.join(', ')}` : 'floodgate is up',
    ...(only.includes('api') ? [`  API         ${apiUrl}   (docs: ${apiUrl}/docs)`] : []),
    ...(only.includes('dashboard')
      ? [
          `  Dashboard   ${dashboardUrl}`,
          `  Overview    ${dashboardUrl.replace(/\/admin\/queues$/, '/admin/overview')}`,
          `              admin:  user ${env.DASHBOARD_USER}, password ${env.DASHBOARD_PASSWORD ? '(from DASHBOARD_PASSWORD)' : dashboardPassword}`,
          `              viewer: user ${env.DASHBOARD_VIEWER_USER}, password ${env.DASHBOARD_VIEWER_PASSWORD ? '(from DASHBOARD_VIEWER_PASSWORD)' : viewerPassword} (read-only)`,
        ]
      : []),
    ...(only.includes('api') ? apiKeyLines(firstKey) : []),
    `  Redis       ${redisGiven ? `${describeRedisTarget(resolveRedisTarget(env))} (given)` : describeLocalRedis(env)}`,
    ...(env.API_METRICS_PORT > 0 || env.WORKER_METRICS_PORT > 0
      ? [`  Metrics     http://${env.METRICS_HOST}:${env.API_METRICS_PORT}/metrics (api), :${env.WORKER_METRICS_PORT} (workers), +1 per further process`]
      : []),
    ...(only.includes('api') && env.API_HEALTH_PORT > 0
      ? [`  Liveness    http://${env.METRICS_HOST}:${env.API_HEALTH_PORT}/healthz (api, +1 per further process)`]
      : []),
    '  Scale       npm run pm2 -- scale worker 4',
    '  Stop        Ctrl-C',
    '',
  ];
  for (const line of banner) say(line);
}

/**
 * The API refuses /v1 requests without a key. On a first start with no key
 * configured, make an admin key so the stack is usable at once; only its hash
 * is stored (API_KEYS_FILE), and the key is printed this once.
 */
function ensureApiKey() {
  if (env.AUTH_DISABLED) return undefined;
  const file = path.resolve(root, env.API_KEYS_FILE);
  if (loadApiKeys({ json: env.API_KEYS, file }).length > 0) return undefined;
  const { key, record } = generateApiKey('npm start (first admin key)', ['admin']);
  appendApiKey(file, record);
  return key;
}

function apiKeyLines(firstKey) {
  if (env.AUTH_DISABLED) return ['  API key     none needed: AUTH_DISABLED=true (local development only)'];
  if (!firstKey) return [`  API key     from ${env.API_KEYS ? 'API_KEYS' : env.API_KEYS_FILE} (more: npm run keys:create -- --scopes jobs:write)`];
  return [
    `  API key     ${firstKey}`,
    '              admin scope; shown only now (its hash is in ' + env.API_KEYS_FILE + '). Send it as',
    `              "Authorization: Bearer <key>". More keys: npm run keys:create -- --scopes jobs:write`,
  ];
}

/**
 * pm2-runtime alone would stop every app at once, Redis included, while workers
 * still need Redis to finish their jobs. So: the front door first, then the
 * workers (each drains its active jobs), and Redis last, with pm2-runtime.
 */
async function stopInOrder(childEnv) {
  const pm2 = path.join(root, 'node_modules/.bin/pm2');
  for (const app of ['api', 'dashboard', 'worker'].filter((name) => only.includes(name))) {
    await promisify(execFile)(pm2, ['stop', app], { cwd: root, env: childEnv }).catch((err) => {
      say(`could not stop ${app} cleanly: ${err.message.split('\n')[0]}`);
    });
  }
}

function isFree(host, port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function waitUntilAnswers(url) {
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

main().catch((err) => {
  say(`could not start: ${err.message}`);
  process.exit(1);
});
