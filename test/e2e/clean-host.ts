/**
 * A Vite host app as a user makes one, outside this repository: a folder in the OS temp dir with
 * only the packed `mneme` tarball and `vite` installed from the registry (nothing resolves from
 * this repository's node_modules), the README's code as its main.ts and vite.config.ts, and its
 * dev server or `vite preview` as child processes on free ports of 127.0.0.1, stopped by pid.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** This repository's package.json: the version the tarball carries, and the ranges a host installs. */
export const app = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};

/** `name@range` with the range this repository pins in its devDependencies. */
export function pinned(name: string): string {
  const range = app.devDependencies[name];
  if (!range) throw new Error(`${name} is not a devDependency of this repository`);
  return `${name}@${range}`;
}

/** Packs `mneme` as it is published (scripts/pack-sdk.mjs) and returns the tarball's path. */
export async function packSdk(): Promise<string> {
  await run(process.execPath, [join(root, 'scripts/pack-sdk.mjs')], { maxBuffer: 16 * 1024 * 1024 });
  return join(root, `lib/mneme-${app.version}.tgz`);
}

/** The code blocks of the README's "Embed Mneme in your app" section (the package README), in order. */
export function readmeCode(language: string): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('<!-- sdk:start -->'), readme.indexOf('<!-- sdk:end -->'));
  return [...section.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1]!);
}

/** The README's TypeScript example that uses `subpath` (e.g. `mneme/mem0`), as it is. */
export function readmeExample(subpath: string): string {
  const example = readmeCode('ts').find((code) => code.includes(subpath));
  if (!example) throw new Error(`The README has lost its ${subpath} example`);
  return example;
}

/** The text of an example of this repository (`examples/<folder>/main.mjs`), to run in a host as it is. */
export function exampleMain(folder: string): string {
  return readFileSync(join(root, 'examples', folder, 'main.mjs'), 'utf8');
}

/** The environment of the host's commands: the user's, without what the test runner set for itself. */
function hostEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_ENV' || key === 'TEST') delete env[key];
  return env;
}

export interface HostFiles {
  /** src/main.ts */
  main: string;
  /** vite.config.ts */
  viteConfig: string;
  /** .env */
  env: string;
  /** Folders served under public/, by their path there (symlinks, e.g. models). */
  publicLinks: Record<string, string>;
}

/** Packs nothing: writes the host, copies the tarball in and installs it with `vite@<range>`. Returns the folder. */
export async function createHost(tarball: string, viteRange: string, files: HostFiles): Promise<string> {
  const host = mkdtempSync(join(tmpdir(), 'mneme-clean-host-'));
  mkdirSync(join(host, 'src'));
  writeFileSync(
    join(host, 'package.json'),
    `${JSON.stringify({ name: 'clean-host', private: true, version: '0.0.0', type: 'module' }, null, 2)}\n`,
  );
  writeFileSync(
    join(host, 'index.html'),
    `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>A clean host</title>
    <script>
      const failed = (error) => (document.title = 'failed: ' + (error?.code ?? '') + ' ' + (error?.message ?? error));
      addEventListener('error', (event) => failed(event.error ?? event.message));
      addEventListener('unhandledrejection', (event) => failed(event.reason));
    </script>
  </head>
  <body>
    <script type="module" src="/src/main.ts"></script>
  </body>
</html>
`,
  );
  writeFileSync(join(host, 'src/main.ts'), files.main);
  writeFileSync(join(host, 'vite.config.ts'), files.viteConfig);
  writeFileSync(join(host, '.env'), files.env);
  for (const [path, target] of Object.entries(files.publicLinks)) {
    const link = join(host, 'public', path);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
  copyFileSync(tarball, join(host, basename(tarball)));
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `./${basename(tarball)}`, `vite@${viteRange}`],
    { cwd: host, env: hostEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  return host;
}

/** `vite build` in the host; its output, for a failure message. */
export async function buildHost(host: string): Promise<string> {
  const { stdout, stderr } = await run(process.execPath, [join(host, 'node_modules/vite/bin/vite.js'), 'build'], {
    cwd: host,
    env: hostEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  return `${stdout}\n${stderr}`;
}

/** A free TCP port on 127.0.0.1, as the OS hands one out. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface HostServer {
  url: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Stops the server by its pid and waits until it has exited. */
  stop(): Promise<void>;
}

/** Starts `vite` (the dev server) or `vite preview` in the host; resolves once it reports its address. */
export async function startHost(host: string, command: 'dev' | 'preview'): Promise<HostServer> {
  const port = await freePort();
  const args = [join(host, 'node_modules/vite/bin/vite.js'), ...(command === 'preview' ? ['preview'] : [])];
  const child: ChildProcess = spawn(process.execPath, [...args, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: host,
    env: hostEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}/`;
  await new Promise<void>((resolve, reject) => {
    const listen = (chunk: Buffer): void => {
      printed += chunk.toString();
      // eslint-disable-next-line no-control-regex
      if (printed.replace(/\u001b\[[0-9;]*m/g, '').includes(url)) resolve();
    };
    child.stdout?.on('data', listen);
    child.stderr?.on('data', listen);
    child.once('exit', (code) => reject(new Error(`vite ${command} exited (${code}) before it listened:\n${printed}`)));
  });
  return { url, output: () => printed, stop };
}

/** Removes the host folder (its node_modules is some hundred MB). */
export function removeHost(host: string | undefined): void {
  if (host) rmSync(host, { recursive: true, force: true });
}

/**
 * A Node project as a user makes one, outside this repository: the tarball and `packages` (e.g.
 * `ai@^7`, an integration's peer) installed from the registry, and `files` written in. Returns the folder.
 */
export async function createNodeHost(tarball: string, packages: string[], files: Record<string, string>): Promise<string> {
  const host = mkdtempSync(join(tmpdir(), 'mneme-node-host-'));
  writeFileSync(
    join(host, 'package.json'),
    `${JSON.stringify({ name: 'node-host', private: true, version: '0.0.0', type: 'module' }, null, 2)}\n`,
  );
  for (const [path, text] of Object.entries(files)) writeFileSync(join(host, path), text);
  copyFileSync(tarball, join(host, basename(tarball)));
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `./${basename(tarball)}`, ...packages],
    { cwd: host, env: hostEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  return host;
}

/**
 * Packs `mneme` and makes a Node host of it with `packages` at this repository's ranges, the
 * example `examples/<example>/main.mjs` as main.mjs, and `files`. Returns the folder.
 */
export async function packedNodeHost(example: string, packages: string[], files: Record<string, string>): Promise<string> {
  const tarball = await packSdk();
  return createNodeHost(tarball, packages.map(pinned), { 'main.mjs': exampleMain(example), ...files });
}

/** Runs `node` with `args` in the host; its standard output (a failure rejects with both outputs). */
export async function runInHost(host: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd: host, env: hostEnv(), maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/**
 * Type-checks `files` in the host, strictly, with this repository's TypeScript against what the host
 * installed (the package's own declarations, its peers); tsc's output, empty when they check.
 */
export function typeCheckInHost(host: string, files: string[]): Promise<string> {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const flags = ['--noEmit', '--strict', '--module', 'esnext', '--moduleResolution', 'bundler', '--target', 'es2022'];
  return runInHost(host, [tsc, ...flags, '--lib', 'es2023,dom', '--skipLibCheck', ...files]);
}
