// `node bench/profile-storage.mjs [n]`: Chromium's CPU profile (through CDP) of persisting n memories
// (vectors given, int8 index) and of the cold start after, summed by function (self time). Where the
// storage suite's figures come from; the renderer's idle time is IndexedDB working in the browser process.
import { join, resolve } from 'node:path';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { chromiumArgs as args, chromiumPath } from '../tooling/chromium.js';

const root = resolve(new URL('..', import.meta.url).pathname);
const n = Number(process.argv[2] ?? 10_000);

function summary(profile, top = 25) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byNode.get(id).callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return { total, top: [...self].sort((a, b) => b[1] - a[1]).slice(0, top), inclusive: inclusive(profile, byNode) };
}

/**
 * Inclusive time of our own functions (src/): a node's samples counted once for every distinct
 * function on its stack, so a caller's figure holds what it called (Dexie, MiniSearch…).
 */
function inclusive(profile, byNode) {
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const totals = new Map();
  profile.samples.forEach((id, i) => {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byNode.get(at).callFrame;
      if (!url.includes('/src/')) continue;
      const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    }
  });
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, 30);
}

const server = await createServer({ configFile: join(root, 'bench/vite.bench.config.ts') });
await server.listen();
const browser = await chromium.launch({ executablePath: chromiumPath, args });
try {
  const page = await browser.newPage();
  await page.goto(`${server.resolvedUrls.local[0]}bench/page.html`);
  await page.waitForFunction(() => document.getElementById('state')?.textContent === 'ready', null, { timeout: 60_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  for (const phase of ['persist', 'cold start']) {
    await cdp.send('Profiler.start');
    const ms = await page.evaluate(([count, which]) => window.mnemeBench.phase(count, 384, which), [n, phase]);
    const { profile } = await cdp.send('Profiler.stop');
    const { total, top, inclusive } = summary(profile);
    console.log(`\n## ${phase}: ${ms.toFixed(0)} ms wall, ${total.toFixed(0)} ms sampled`);
    for (const [name, time] of top) console.log(`${time.toFixed(1).padStart(8)} ms  ${name}`);
    console.log(`\n### ${phase}: inclusive time of our functions`);
    for (const [name, time] of inclusive) console.log(`${time.toFixed(1).padStart(8)} ms  ${name}`);
  }
} finally {
  await browser.close();
  await server.close();
}
