// `npm run bench:locomo -- [--data <file>] [--json <out>] [--mode hybrid|lexical|reference-bm25] [--embedder id]
//   [--ranking <json>] [--grid <json file> | --grid none] [--dates text|metadata]`
// `--dates metadata` leaves the session date out of each turn's text (it stays in metadata.date), as a chat app stores turns.
// The grid (default bench/locomo/grid.json) lists the variants leave-one-conversation-out cross-validation chooses from.
// LoCoMo turn retrieval through the public client, in Node (fake-indexeddb), TypeScript loaded by Vite.
import 'fake-indexeddb/auto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from 'vite';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const root = resolve(new URL('..', import.meta.url).pathname);
// The shared folder sits beside the main checkout (../shared) or beside the worktrees' folder (../../shared).
const shared =
  ['../shared', '../../shared'].map((dir) => resolve(root, dir)).find((dir) => existsSync(dir)) ?? resolve(root, '../shared');
const data = resolve(arg('data', resolve(shared, 'eval/locomo/locomo-dev.json')));
const gridArg = arg('grid', resolve(root, 'bench/locomo/grid.json'));
const mode = arg('mode', 'hybrid');
const settings = {
  mode,
  dates: arg('dates', 'text'),
  embedder: arg('embedder', 'local/glove-sif-100d'),
  modelsBaseUrl: process.env.MNEME_MODELS ?? resolve(shared, 'models'),
  ...(arg('ranking') ? { ranking: JSON.parse(arg('ranking')) } : {}),
  grid: gridArg === 'none' ? [] : JSON.parse(readFileSync(gridArg, 'utf8')),
};

const server = await createServer({
  root,
  configFile: false,
  // No HMR socket: two runs at once (or another developer's) would fight over its port.
  server: { middlewareMode: true, hmr: false },
  appType: 'custom',
  logLevel: 'warn',
  // Node only, through ssrLoadModule: no browser dependency scan (it would trip over the app's PWA module).
  optimizeDeps: { noDiscovery: true, include: [] },
});
try {
  const { runLocomo } = await server.ssrLoadModule('/bench/locomo/harness.ts');
  let reference;
  if (mode === 'reference-bm25') {
    const baseline = await import(resolve(shared, 'eval/locomo/bm25-baseline.mjs'));
    // The published baseline's scorer ranks document indices; it checks our loader and metrics.
    reference = (docs) => {
      const rank = baseline.createBm25(docs);
      return (query) => rank(query).map((i) => ({ id: docs[i].id, score: 0 }));
    };
  }
  const report = await runLocomo(JSON.parse(readFileSync(data, 'utf8')), settings, reference);
  const out = arg('json');
  if (out) writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));
  console.error(table(report));
} finally {
  await server.close();
}

/** A readable summary on stderr (stdout stays one JSON document): plain and cross-validated, per category. */
function table(report) {
  const rows = [['', 'overall', ...Object.values(report.perCategory).map((c) => `${c.name} (${c.questions})`)]];
  const line = (label, r, key) => [label, r[key].toFixed(3), ...Object.values(r.perCategory).map((c) => c[key].toFixed(3))];
  rows.push(line('recall@10', report, 'recall@10'), line('evidence in context', report, 'evidenceInContext'));
  if (report.crossValidated) {
    rows.push(line('recall@10, LOCO-CV', report.crossValidated, 'recall@10'));
    rows.push(line('evidence in context, LOCO-CV', report.crossValidated, 'evidenceInContext'));
  }
  const text = rows.map((row) => `| ${row.join(' | ')} |`).join('\n');
  // The answer-relevant tokens: the evidence turns' text in the prompt (what a denser prompt must not lose).
  const tokens = (label, r) =>
    `${label}: evidence whole (not as an excerpt) ${r.evidenceWhole.toFixed(3)}, evidence tokens per prompt ` +
    `${r.evidenceTokens.toFixed(1)} of ${r.memoryTokens.toFixed(0)} memory tokens (${(r.evidenceTokenShare * 100).toFixed(1)} %)`;
  const cv = report.crossValidated ? `\n${tokens('LOCO-CV', report.crossValidated)}` : '';
  return `${text}\n${tokens('plain', report)}${cv}\nquery p50 ${report.queryP50Ms.toFixed(2)} ms, p95 ${report.queryP95Ms.toFixed(2)} ms (first conversation, engine just started: p95 ${report.queryP95FirstConversationMs.toFixed(2)} ms; the others: ${report.queryP95LaterConversationsMs.toFixed(2)} ms)`;
}
