// pm2 runs the app: `npm start` (pm2-runtime, in the foreground). Every setting is an
// environment variable (REDIS_URL, API_PORT, API_KEYS_FILE, DASHBOARD_PASSWORD, …), passed through.
// Timing rule: kill_timeout > the process's shutdown grace (API 10 s, workers 35 s) > its longest job.
const apps = [
  { name: 'api', script: 'api.js', exec_mode: 'cluster', instances: 1, kill_timeout: 15_000 },
  { name: 'worker', script: 'worker.js', exec_mode: 'cluster', instances: 'max', kill_timeout: 45_000 },
  { name: 'dashboard', script: 'dashboard.js', exec_mode: 'fork', instances: 1, kill_timeout: 10_000 },
].map((app) => ({ ...app, cwd: __dirname, wait_ready: true, listen_timeout: 45_000, exp_backoff_restart_delay: 200 }));

module.exports = { apps };
