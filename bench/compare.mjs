// `node bench/compare.mjs --before <dir> [--rounds 3] [--storage 10000:int8]`: the storage suite of
// an older checkout (<dir>: `git archive <commit>`, with this tree's bench/run.mjs and report.mjs
// and a node_modules of links to this one's) and of this tree, run in turns (before, after, before,
// …) so both see the same load, then the median of each figure side by side. On a shared machine
// the load changes by the minute: only figures from the same call compare.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const before = arg('--before');
if (!before) throw new Error('--before <dir> is required');
const rounds = Number(arg('--rounds', '3'));
const storage = arg('--storage', '10000:int8');

const FIGURES = [
  'persistMs',
  'coldStartMs',
  'firstSearchMs',
  'freshStartMs',
  'freshFirstSearchMs',
  'bytesPerMemory',
  'exportMs',
  'importMs',
];
const runs = { before: [], after: [] };
for (let round = 0; round < rounds; round++) {
  for (const [side, dir] of [
    ['before', resolve(before)],
    ['after', root],
  ]) {
    try {
      execFileSync('node', ['bench/run.mjs', '--only', 'storage', '--storage', storage], { cwd: dir, stdio: 'inherit' });
    } catch {
      console.log(`[compare] round ${round + 1} ${side}: the run failed, left out`);
      continue;
    }
    const date = new Date().toISOString().slice(0, 10);
    const result = JSON.parse(readFileSync(join(dir, `bench/results/${date}-storage.json`), 'utf8'));
    runs[side].push(result.storage);
    console.log(
      `[compare] round ${round + 1} ${side}: ${result.storage.map((r) => `${r.vectorIndex} ${r.memories} persist ${r.persistMs.toFixed(0)} ms, cold start ${r.coldStartMs.toFixed(0)} ms, ${r.bytesPerMemory?.toFixed(0)} B`).join('; ')}`,
    );
  }
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.floor((sorted.length - 1) / 2)];
};
const lines = [
  `| row | figure | before (median of ${rounds}) | after (median of ${rounds}) | after / before |`,
  '|---|---|---|---|---|',
];
(runs.after[0] ?? []).forEach((row, i) => {
  for (const figure of FIGURES) {
    const b = median(runs.before.map((run) => run[i]?.[figure]));
    const a = median(runs.after.map((run) => run[i]?.[figure]));
    const ratio = a !== undefined && b ? (a / b).toFixed(2) : '–';
    lines.push(
      `| ${row.vectorIndex} ${row.memories} | ${figure} | ${b?.toFixed(0) ?? '–'} | ${a?.toFixed(0) ?? '–'} | ${ratio} |`,
    );
  }
});
console.log(lines.join('\n'));
