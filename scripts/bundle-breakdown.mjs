/**
 * `node scripts/bundle-breakdown.mjs [--lib]`: what each chunk that loads at start is made of. Builds the
 * app (vite.config.ts) or, with --lib, the package (vite.lib.config.ts) into a scratch folder and prints,
 * for the app's main-thread entry and for the memory worker, the modules of the chunks they load
 * statically, each with its share of the gzip size (its own gzip size before minification, scaled so
 * that a chunk's modules add up to the chunk) and the chunks they only load on demand.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, loadConfigFromFile } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const lib = process.argv.includes('--lib');
/** --modules: one line per module instead of per package or source folder. */
const perModule = process.argv.includes('--modules');
const outDir = join(root, 'node_modules/.mneme-breakdown');
const { config } = await loadConfigFromFile(
  { command: 'build', mode: 'production' },
  join(root, lib ? 'vite.lib.config.ts' : 'vite.config.ts'),
);

/** Every chunk of every bundle (the page's and each worker's), by file name. */
const chunks = new Map();
const reporter = {
  name: 'mneme-breakdown',
  generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle))
      if (chunk.type === 'chunk') chunks.set(chunk.fileName.replace(/^assets\//, ''), chunk);
  },
};
const workerPlugins = config.worker?.plugins;
await build({
  ...config,
  configFile: false,
  root,
  logLevel: 'warn',
  plugins: [...(config.plugins ?? []), reporter],
  worker: { ...config.worker, plugins: () => [...(workerPlugins?.() ?? []), reporter] },
  build: { ...config.build, outDir, emptyOutDir: true },
});
rmSync(outDir, { recursive: true, force: true });

const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
const gz = (text) => gzipSync(text ?? '').length;
const base = (file) => file.replace(/^.*\//, '');
/** The entry chunk and the chunks it imports statically; the ones it imports dynamically, apart. */
function closure(file) {
  const seen = new Set();
  const visit = (name) => {
    const chunk = chunks.get(base(name));
    if (!chunk || seen.has(chunk)) return;
    seen.add(chunk);
    for (const dep of chunk.imports) visit(dep);
  };
  visit(file);
  const lazy = new Set();
  for (const chunk of seen)
    for (const dep of chunk.dynamicImports) if (![...seen].some((c) => base(c.fileName) === base(dep))) lazy.add(base(dep));
  return { loaded: [...seen], lazy: [...lazy] };
}
function report(title, file) {
  const { loaded, lazy } = closure(file);
  const total = loaded.reduce((sum, chunk) => sum + gz(chunk.code), 0);
  console.log(`\n${title}: ${kb(total).trim()} gzip in ${loaded.length} chunk(s) at start`);
  console.log(`  chunks: ${loaded.map((chunk) => `${base(chunk.fileName)} ${kb(gz(chunk.code)).trim()}`).join(', ')}`);
  const byPackage = new Map();
  for (const chunk of loaded) {
    // Modules are measured before minification: each gets its share of the chunk's real gzip size.
    const sizes = Object.values(chunk.modules).map((module) => gz(module.code));
    const scale =
      gz(chunk.code) /
      Math.max(
        1,
        sizes.reduce((sum, size) => sum + size, 0),
      );
    for (const [at, [id]] of Object.entries(chunk.modules).entries()) {
      const module = { size: sizes[at] * scale };
      const name = perModule
        ? id.replace(root, '').replace(/\?.*$/, '')
        : id.includes('node_modules/')
          ? id
              .slice(id.lastIndexOf('node_modules/') + 13)
              .split('/')
              .slice(0, id.includes('node_modules/@') ? 2 : 1)
              .join('/')
          : id.replace(root, '').replace(/\?.*$/, '').split('/').slice(0, 3).join('/');
      byPackage.set(name, (byPackage.get(name) ?? 0) + module.size);
    }
  }
  for (const [name, size] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, perModule ? 400 : 30))
    console.log(`  ${kb(size)}  ${name}`);
  console.log(`  on demand: ${lazy.map((name) => `${name} ${kb(gz(chunks.get(name)?.code)).trim()}`).join(', ') || 'nothing'}`);
}

const names = [...chunks.keys()];
if (lib) {
  report('index.js (package entry)', 'index.js');
  report('worker.js (memory worker)', 'worker.js');
} else {
  const entry = [...chunks.values()].find((chunk) => chunk.isEntry && chunk.facadeModuleId?.endsWith('index.html'));
  report('app main-thread entry', entry?.fileName ?? names.find((n) => n.startsWith('index-')));
  report(
    'memory worker',
    names.find((n) => n.startsWith('memory.worker')),
  );
}
