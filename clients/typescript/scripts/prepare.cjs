// npm's `prepare` script: builds dist/ when the package is installed from a
// directory (`npm install /path/to/clients/typescript`), from git, or packed.
// npm links a directory outside the project without installing the linked
// package's dependencies, so when TypeScript is missing this installs them
// first, from the lock file and with scripts off (which would run this
// script again). Registry and tarball installs ship dist/ and never run it.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const packageDir = path.resolve(__dirname, '..');

/**
 * The environment for the nested npm: without the npm_config_* settings of
 * the outer install (its prefix is the installing project, not this
 * package), except those that say where and how to reach the registry.
 */
function nestedNpmEnvironment() {
  const kept = /^npm_config_(cache|userconfig|globalconfig|cafile|registry|.*proxy|strict_ssl)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_config_/i.test(name) || kept.test(name)),
  );
}

if (!existsSync(path.join(packageDir, 'node_modules', 'typescript', 'package.json'))) {
  // npm_execpath is the npm that runs this script: the same one installs the dependencies.
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  execFileSync(
    npm[0],
    [...npm.slice(1), 'ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', packageDir],
    { cwd: packageDir, stdio: 'inherit', env: nestedNpmEnvironment() },
  );
}
const tsc = require.resolve('typescript/bin/tsc', { paths: [packageDir] });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir, stdio: 'inherit' });
