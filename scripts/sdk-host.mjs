/**
 * The SDK as another app gets it: packs `mneme` (scripts/pack-sdk.mjs), installs the tarball into
 * examples/vanilla-host (not a path alias), type-checks and builds that app. test/e2e/sdk-host.test.ts
 * then opens its production build and its dev server in Chromium.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const host = join(root, 'examples/vanilla-host');
const run = (command, args, cwd = root) =>
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });

run(process.execPath, [join(root, 'scripts/pack-sdk.mjs')]);
// A fresh install of the tarball every time: an old copy in node_modules would hide a broken package.
rmSync(join(host, 'node_modules/mneme'), { recursive: true, force: true });
rmSync(join(host, 'package-lock.json'), { force: true });
run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], host);
run('npm', ['run', 'build'], host);
console.log('examples/vanilla-host: installed from the tarball, type-checked and built');
