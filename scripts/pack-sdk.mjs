/**
 * Builds the `mneme` package into lib/ and packs it: the library bundle (vite.lib.config.ts), the
 * type declarations of the public API (tsconfig.lib.json), a package manifest with the exports
 * map, the README section and CHANGELOG. Refuses to pack when the code imports a package the
 * manifest does not declare (scripts/package-imports.mjs). Prints the gzip size of the entry
 * points against their budgets (and whether the README still quotes them right) and the path of
 * the tarball (lib/mneme-<version>.tgz).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { undeclaredImports } from './package-imports.mjs';
import { gzipTotal, staticClosure } from './static-closure.mjs';

const root = new URL('..', import.meta.url).pathname;
const lib = join(root, 'lib');
const app = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = (name) => app.dependencies[name] ?? app.devDependencies[name];

rmSync(lib, { recursive: true, force: true });
mkdirSync(lib, { recursive: true });
await build({ root, configFile: join(root, 'vite.lib.config.ts'), logLevel: 'warn' });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.lib.json')], {
  stdio: 'inherit',
});

const manifest = {
  name: 'mneme',
  version: app.version,
  description: app.description,
  type: 'module',
  license: 'UNLICENSED',
  main: './dist/index.js',
  module: './dist/index.js',
  types: './types/sdk/index.d.ts',
  exports: {
    '.': { types: './types/sdk/index.d.ts', default: './dist/index.js' },
    './worker': { default: './dist/worker.js' },
    './llm-worker': { default: './dist/llm-worker.js' },
    './svelte': { types: './types/svelte/index.svelte.d.ts', default: './dist/svelte.js' },
    './vite': { types: './types/vite/index.d.ts', default: './dist/vite.js' },
    './ai-sdk': { types: './types/integrations/ai-sdk/index.d.ts', default: './dist/ai-sdk.js' },
    './mem0': { types: './types/integrations/mem0/index.d.ts', default: './dist/mem0.js' },
    './langgraph': { types: './types/integrations/langgraph/index.d.ts', default: './dist/langgraph.js' },
    './package.json': './package.json',
  },
  // Only the worker entries run code on import; everything else can be tree-shaken.
  sideEffects: ['./dist/worker.js', './dist/llm-worker.js'],
  files: ['dist', 'types', 'README.md', 'CHANGELOG.md'],
  engines: { node: '>=20' },
  // Resolved by the host's bundler into lazy chunks: a page downloads them only when a model first runs.
  // voy-search is bundled for browsers; Node (`inWorker: false`) loads it from the package.
  dependencies: {
    '@huggingface/transformers': version('@huggingface/transformers'),
    '@mlc-ai/web-llm': version('@mlc-ai/web-llm'),
    'onnxruntime-web': JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-web/package.json'), 'utf8')).version,
    'voy-search': version('voy-search'),
  },
  // Each integration's library is the host's choice: optional, needed only by its subpath.
  peerDependencies: {
    svelte: '^5.0.0',
    ai: '^6.0.0 || ^7.0.0',
    '@langchain/core': '^1.0.0',
    '@langchain/langgraph-checkpoint': '^1.0.0',
  },
  peerDependenciesMeta: {
    svelte: { optional: true },
    ai: { optional: true },
    '@langchain/core': { optional: true },
    '@langchain/langgraph-checkpoint': { optional: true },
  },
};
writeFileSync(join(lib, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
// The package README is the "Embed Mneme in your app" section of the repository README.
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('<!-- sdk:start -->') + 18, readme.indexOf('<!-- sdk:end -->')).trim();
writeFileSync(join(lib, 'README.md'), `# mneme\n\n${manifest.description}\n\n${section}\n`);
copyFileSync(join(root, 'CHANGELOG.md'), join(lib, 'CHANGELOG.md'));

const dist = join(lib, 'dist');
const undeclared = undeclaredImports(dist, { ...manifest.dependencies, ...manifest.peerDependencies });
if (undeclared.length > 0) {
  console.error(`\nThe package imports what its package.json does not declare:\n${undeclared.join('\n')}`);
  console.error('Declare each in the manifest above, bundle it, or keep it out of the browser build.');
  process.exit(1);
}

const budgets = {
  'index.js (main-thread entry)': ['index.js', 15],
  'worker.js (memory worker, no model libraries)': ['worker.js', 60],
  'ai-sdk.js (mneme/ai-sdk, `ai` not included)': ['ai-sdk.js', 5],
  // The facade loads the main entry (index.js) itself, on first use, so the two share no chunk.
  'mem0.js (mneme/mem0, without the main entry it loads)': ['mem0.js', 5],
  'langgraph.js (mneme/langgraph, LangChain not included)': ['langgraph.js', 5],
};
console.log('\nmneme package sizes (gzip, entry + its static imports):');
const measured = {};
for (const [label, [file, budget]] of Object.entries(budgets)) {
  const kb = gzipTotal(dist, staticClosure(dist, file)) / 1024;
  measured[file] = kb.toFixed(1);
  console.log(`  ${label}: ${kb.toFixed(1)} KB (budget ${budget} KB${kb > budget ? ', OVER' : ''})`);
}
// The README quotes these figures: say so when it no longer matches what was just measured.
const quoted = /The `mneme`\s+package: entry ([\d.]+) KB, memory worker ([\d.]+) KB/.exec(readme);
if (quoted?.[1] !== measured['index.js'] || quoted?.[2] !== measured['worker.js']) {
  console.warn(
    `  README.md quotes entry ${quoted?.[1] ?? '?'} KB, memory worker ${quoted?.[2] ?? '?'} KB: update it to ` +
      `entry ${measured['index.js']} KB, memory worker ${measured['worker.js']} KB`,
  );
}
const total = readdirSync(dist).reduce((sum, file) => sum + readFileSync(join(dist, file)).length, 0);
console.log(`  whole dist/: ${(total / 1024).toFixed(0)} KB raw\n`);

execFileSync('npm', ['pack', '--pack-destination', lib], { cwd: lib, stdio: ['ignore', 'ignore', 'inherit'] });
console.log(`packed ${join(lib, `mneme-${app.version}.tgz`)}`);
