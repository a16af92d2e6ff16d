import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** What each app's build put in dist/ (`npm test` builds before it tests). */
const root = path.resolve(__dirname, '../..');
const apps = readdirSync(path.join(root, 'apps'));

describe('nothing test-only ships', () => {
  it.each(apps)('the build of apps/%s holds no test and no test harness', (app) => {
    const dist = path.join(root, 'apps', app, 'dist');
    expect(existsSync(dist), `apps/${app}/dist is missing: run pnpm run build first`).toBe(true);
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' });
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => /\.test\.|(^|[\\/])testing([\\/]|$)/.test(file))).toEqual([]);
  });
});
