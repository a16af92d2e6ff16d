// Packs every public workspace package (each one whose package.json is not "private") into
// one directory, as a registry would serve them: `pnpm pack` turns `workspace:` and `catalog:`
// versions into real ones. Used by `npm run pack` and by the example app's test.
// usage: node infra/scripts/pack-packages.js <destination>   prints the tarballs' paths
'use strict';
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '../..');

/** The directories of the workspace packages that are published. */
function publicPackages() {
  return ['apps', 'packages']
    .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
    .filter((dir) => existsSync(join(dir, 'package.json')) && JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true);
}

function pack(destination) {
  return publicPackages().map((dir) => {
    const out = execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: dir, encoding: 'utf8' });
    return out.trim().split('\n').pop();
  });
}

module.exports = { publicPackages, pack };

if (require.main === module) {
  const destination = resolve(process.argv[2] ?? join(root, '.data/packs'));
  for (const tarball of pack(destination)) console.log(tarball);
}
