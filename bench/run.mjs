// `npm run bench [-- --quick] [-- --only index,storage,bundle]`: runs the benchmark suites in
// headless Chromium (the browser users have) and writes bench/results/<date>.json, <date>.md and
// index-p50.svg. Timings live here, never in tests. Every figure of a suite is taken in the same
// run as its peers. --quick (CI): 1k and 10k only, few queries, no chart.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, createServer } from 'vite';
import { chromium } from 'playwright-core';
import { markdownReport, indexChart } from './report.mjs';
import { startSyncServer } from '../scripts/sync-server.mjs';
import { staticClosure } from '../scripts/static-closure.mjs';
import { inProduction } from './in-production.mjs';
import { chromiumArgs as args, chromiumPath } from '../tooling/chromium.js';

const root = resolve(new URL('..', import.meta.url).pathname);
const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
// --storage 10000:int8,flat: only these storage rows (sizes:indexes), e.g. to compare before/after quickly.
const storageAt = process.argv.indexOf('--storage');
const suites =
  onlyAt > 0 ? process.argv[onlyAt + 1].split(',') : ['index', 'peers', 'storage', 'embedding', 'context', 'sync', 'bundle'];

const settings = quick
  ? {
      index: { sizes: [1_000, 10_000], dimension: 384, queries: 30, filteredQueries: 10, data: ['random', 'near-duplicates'] },
      storage: { sizes: [1_000], indexes: ['flat', 'int8'] },
      embedding: { models: ['local/glove-sif-100d', 'fixtures/toy-bow-embedder-384'], texts: 256, batch: 32, rounds: 1 },
      batches: { model: 'local/glove-sif-100d', texts: 256, batches: [8, 32], rounds: 1 },
      context: { sizes: [1_000], queries: 20 },
      peers: { sizes: [1_000], dimension: 384, queries: 20 },
      sync: { memories: [1_000], changes: 10, reembedWith: 'local/glove-sif-100d', reembedTimeoutMs: 120_000 },
    }
  : {
      index: {
        sizes: [1_000, 10_000, 100_000],
        dimension: 384,
        queries: 200,
        filteredQueries: 50,
        data: ['random', 'clustered', 'near-duplicates'],
      },
      storage: { sizes: [1_000, 10_000], indexes: ['flat', 'int8', 'voy'] },
      // 16 rounds: with 4, the ratio of unchanged code spread 0.70–1.08 across runs on an idle machine.
      embedding: { models: ['local/glove-sif-100d', 'fixtures/toy-bow-embedder-384'], texts: 1_024, batch: 32, rounds: 16 },
      batches: { model: 'local/glove-sif-100d', texts: 1_024, batches: [4, 8, 16, 32, 64, 128], rounds: 3 },
      context: { sizes: [1_000, 10_000], queries: 100 },
      peers: { sizes: [1_000, 10_000, 100_000], dimension: 384, queries: 50 },
      sync: { memories: [10_000], changes: 40, reembedWith: 'local/glove-sif-100d', reembedTimeoutMs: 240_000 },
    };

if (storageAt > 0) {
  const [sizes, indexes] = process.argv[storageAt + 1].split(':');
  settings.storage = { sizes: sizes.split(',').map(Number), indexes: indexes ? indexes.split(',') : settings.storage.indexes };
}
// MNEME_BENCH_NO_REEMBED=1: the sync suite without its slowest part (re-embedding on a third device).
if (process.env.MNEME_BENCH_NO_REEMBED) delete settings.sync.reembedWith;

/**
 * pouchdb-server on a free loopback port for the sync suite, answering the bench page's origin
 * (CORS); stopped by pid afterwards.
 */
async function withSyncServer(run) {
  const server = await startSyncServer({ cors: ['*'] });
  try {
    return await run(server.url);
  } finally {
    await server.stop();
  }
}

/** A suite that throws is recorded in `errors` (and fails the run) without losing the others' figures. */
const errors = [];
async function attempt(suite, run, fallback) {
  try {
    return await run();
  } catch (error) {
    console.error(`bench: ${suite} failed:`, error);
    errors.push({ suite, message: String(error?.stack ?? error) });
    return fallback;
  }
}

/** Opens a profile the storage suite kept, in a new page of `page`'s browser profile, and deletes it. */
async function freshOpen(page, url, profileId, vectorIndex) {
  const fresh = await page.context().newPage();
  try {
    fresh.on('pageerror', (error) => console.error('page error:', error.message));
    await fresh.goto(`${url}bench/page.html`);
    await fresh.waitForFunction(() => document.getElementById('state')?.textContent === 'ready', null, { timeout: 60_000 });
    return await fresh.evaluate(([id, kind]) => window.mnemeBench.freshOpen(id, 384, kind), [profileId, vectorIndex]);
  } finally {
    await fresh.close();
  }
}

async function inBrowser() {
  const server = await createServer({ configFile: join(root, 'bench/vite.bench.config.ts') });
  await server.listen();
  const url = server.resolvedUrls.local[0];
  const browser = await chromium.launch({ executablePath: chromiumPath, args });
  try {
    const page = await (await browser.newContext()).newPage(); // a context of its own: the storage suite opens a second page in it
    page.on('console', (message) => message.text().startsWith('[bench]') && console.log(message.text()));
    page.on('pageerror', (error) => console.error('page error:', error.message));
    await page.goto(`${url}bench/page.html`);
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'ready', null, { timeout: 60_000 });
    const userAgent = await page.evaluate(() => navigator.userAgent);
    // Isolation (COOP/COEP, set by the bench server) gives performance.now() 5 µs steps instead of 100 µs.
    const isolated = await page.evaluate(() => crossOriginIsolated);
    const index = suites.includes('index')
      ? await attempt('index', () => page.evaluate((options) => window.mnemeBench.index(options), settings.index), [])
      : [];
    const storage = [];
    for (const n of suites.includes('storage') ? settings.storage.sizes : []) {
      for (const vectorIndex of settings.storage.indexes) {
        const row = await attempt(`storage ${vectorIndex} ${n}`, () =>
          page.evaluate(([count, kind]) => window.mnemeBench.storage(count, 384, kind, true), [n, vectorIndex]),
        );
        if (!row) continue;
        // The cold start a returning user gets: the kept profile opened by a new page of the same browser
        // profile (its own heap and event loop, nothing of the persist in them). Older trees have no such
        // step (bench/compare.mjs); their profile is already deleted.
        if (row.profileId) {
          const fresh = await attempt(`storage ${vectorIndex} ${n} fresh page`, () =>
            freshOpen(page, url, row.profileId, vectorIndex),
          );
          Object.assign(row, fresh ?? {});
          delete row.profileId;
        }
        console.log(
          `[bench] storage ${vectorIndex} ${n}: persist ${row.persistMs.toFixed(0)} ms, cold start ${row.coldStartMs.toFixed(0)} ms` +
            (row.freshStartMs === undefined ? '' : `, in a new page ${row.freshStartMs.toFixed(0)} ms`),
        );
        storage.push(row);
      }
    }
    // Where persisting the largest size spends its time and bytes, part by part.
    const breakdown = suites.some((suite) => suite === 'storage' || suite === 'breakdown')
      ? await attempt('storage breakdown', () =>
          page.evaluate((n) => window.mnemeBench.breakdown(n, 384), Math.max(...settings.storage.sizes)),
        )
      : undefined;
    const embedding = suites.includes('embedding')
      ? await attempt('embedding', () => page.evaluate((o) => window.mnemeBench.embedding(o), settings.embedding), [])
      : [];
    for (const row of embedding)
      console.log(
        `[bench] embedding ${row.model}: ours/bare ${row.ratio.toFixed(2)} (rounds ${row.ratioRange[0].toFixed(2)}–${row.ratioRange[1].toFixed(2)})`,
      );
    const batches = suites.includes('embedding')
      ? await attempt('batches', () => page.evaluate((o) => window.mnemeBench.batches(o), settings.batches), [])
      : [];
    const context = [];
    for (const n of suites.includes('context') ? settings.context.sizes : []) {
      const row = await attempt(`context ${n}`, () =>
        page.evaluate(([count, queries]) => window.mnemeBench.context(count, queries), [n, settings.context.queries]),
      );
      if (!row) continue;
      console.log(`[bench] context ${n}: p95 ${row.buildP95Ms.toFixed(1)} ms`);
      context.push(row);
    }
    const peers = suites.includes('peers')
      ? await attempt('peers', () => page.evaluate((o) => window.mnemeBench.peers(o), settings.peers), [])
      : [];
    for (const row of peers) console.log(`[bench] peers ${row.engine} ${row.size}: p50 ${row.queryP50Ms.toFixed(2)} ms`);
    const sync = [];
    for (const memories of suites.includes('sync') ? settings.sync.memories : []) {
      const row = await attempt(`sync ${memories}`, () =>
        withSyncServer((url) =>
          page.evaluate(([at, options]) => window.mnemeBench.sync(at, options), [url, { ...settings.sync, memories }]),
        ),
      );
      if (row) sync.push(row);
    }
    return { userAgent, isolated, index, storage, breakdown, embedding, batches, context, peers, sync };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** gzip sizes of the production build: what a host downloads before any model. */
async function bundleSizes() {
  const outDir = join(root, 'node_modules/.mneme-bench-dist');
  rmSync(outDir, { recursive: true, force: true });
  // The production build a user gets, though the bench's dev server set NODE_ENV=development.
  await inProduction(() =>
    build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } }),
  );
  const assets = readdirSync(join(outDir, 'assets')).map((name) => {
    const bytes = readFileSync(join(outDir, 'assets', name));
    return { name, bytes: statSync(join(outDir, 'assets', name)).size, gzip: gzipSync(bytes).length };
  });
  const sum = (list) => list.reduce((total, asset) => total + asset.gzip, 0);
  const isModelLib = (name) => /^(transformers|ort-wasm|ort-assets|webllm-engine)/.test(name);
  // What loads before the first screen and before the worker answers: each entry and the chunks it
  // imports statically (lazy chunks, and the in-process engine for inWorker: false, load on demand).
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const entryFile = /<script type="module"[^>]*src="\/?assets\/([^"]+)"/.exec(html)?.[1];
  const workerFile = assets.find((a) => /^memory\.worker-.*\.js$/.test(a.name))?.name;
  const closureOf = (file) => new Set(file ? staticClosure(join(outDir, 'assets'), file) : []);
  const entry = assets.filter((a) => closureOf(entryFile).has(a.name));
  const worker = assets.filter((a) => closureOf(workerFile).has(a.name));
  const shell = assets.filter((a) => !isModelLib(a.name) && /\.(js|css)$/.test(a.name));
  rmSync(outDir, { recursive: true, force: true });
  return {
    appEntryGzip: sum(entry),
    appEntryChunks: entry.length,
    memoryWorkerGzip: sum(worker),
    memoryWorkerChunks: worker.length,
    appShellGzip: sum(shell),
    modelLibrariesGzip: sum(assets.filter((a) => isModelLib(a.name))),
    assets: assets.map(({ name, bytes, gzip }) => ({ name, bytes, gzip })),
  };
}

const started = Date.now();
const browserResults = await inBrowser();
const bundle = suites.includes('bundle') ? await attempt('bundle', bundleSizes) : undefined;
const date = new Date().toISOString().slice(0, 10);
const results = {
  date,
  quick,
  machine: {
    cores: (await import('node:os')).cpus().length,
    cpu: (await import('node:os')).cpus()[0]?.model,
    node: process.version,
    userAgent: browserResults.userAgent,
    crossOriginIsolated: browserResults.isolated,
  },
  suites,
  settings,
  ...browserResults,
  bundle,
  errors,
  wallSeconds: (Date.now() - started) / 1000,
};
const dir = join(root, 'bench/results');
mkdirSync(dir, { recursive: true });
const name = quick ? `${date}-quick` : suites.length < 3 ? `${date}-${suites.join('-')}` : date;
writeFileSync(join(dir, `${name}.json`), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(dir, `${name}.md`), markdownReport(results));
// The chart is the latest full index run (the README shows it).
if (!quick && results.index.length > 0) writeFileSync(join(dir, 'index-p50.svg'), indexChart(results.index));
console.log(markdownReport(results));
console.log(`written: bench/results/${name}.json and .md (${results.wallSeconds.toFixed(0)} s)`);
if (errors.length > 0) {
  console.error(`bench: ${errors.length} suite(s) failed: ${errors.map((e) => e.suite).join(', ')}`);
  process.exitCode = 1;
}
