// Markdown tables and a hand-written SVG chart from a benchmark results object.
const ms = (value) =>
  Number.isFinite(value) ? (value < 1 ? value.toFixed(3) : value < 10 ? value.toFixed(2) : value.toFixed(0)) : '–';
const ratio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

export function markdownReport(results) {
  const lines = [
    `# Mneme benchmarks ${results.date}${results.quick ? ' (quick)' : ''}`,
    '',
    `Chromium: ${results.machine.userAgent}; ${results.machine.cores} cores${results.machine.cpu ? ` (${results.machine.cpu})` : ''}; ` +
      `timer ${results.machine.crossOriginIsolated ? '5 µs (cross-origin isolated)' : '100 µs'}.`,
    '',
  ];
  if (results.index.length > 0) lines.push(...indexTable(results));
  if (results.storage.length > 0) lines.push(...storageTable(results.storage));
  if (results.breakdown) lines.push(...breakdownTable(results.breakdown, results.settings.storage.sizes.at(-1)));
  if (results.peers?.length > 0) lines.push(...peerTable(results.peers));
  if (results.embedding?.length > 0) lines.push(...embeddingTable(results.embedding));
  if (results.batches?.length > 0) {
    lines.push(
      '## Embedding batch size (our path, texts per second; the default comes from here)',
      '',
      '| model | batch | texts/s |',
      '|---|---|---|',
    );
    for (const r of results.batches) lines.push(`| ${r.model} | ${r.batch} | ${r.textsPerSecond.toFixed(0)} |`);
    lines.push('');
  }
  if (results.context?.length > 0) lines.push(...contextTable(results.context));
  if (results.sync?.length > 0) lines.push(...syncTable(results.sync));
  if (results.bundle) lines.push(...bundleTable(results.bundle));
  if (results.errors?.length > 0)
    lines.push('## Failed', '', ...results.errors.map((e) => `- ${e.suite}: ${e.message.split('\n')[0]}`), '');
  return lines.join('\n');
}

function indexTable(results) {
  const { queries, filteredQueries } = results.settings.index;
  const lines = [
    '## Vector index (top-10, 384-d)',
    '',
    `Load: \`upsertMany\` of every vector from packed rows (the cold-start path); n × upsert: the same one vector at a time. ` +
      'Upsert: a new id into the loaded index; replace: an existing id. ' +
      `Query: ${queries} queries, the indexes taking turns, p50/p95; ` +
      `filtered: ${filteredQueries} queries with a filter keeping 1 id in 10. Recall@10 against flat (exact). ` +
      'Stored: the float16 row the storage layer keeps (no index keeps anything else). RAM: the index in memory.',
    '',
    '| data | size | index | load ms | load × flat | n × upsert ms | upsert µs | replace µs | p50 ms | p95 ms | p50 × flat | filtered p50 ms | recall@10 | filtered recall@10 | stored B/vec | RAM B/vec |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results.index) {
    lines.push(
      `| ${r.data} | ${r.size.toLocaleString('en')} | ${r.index} | ${ms(r.loadMs)} | ${ratio(r.loadVsFlat)} | ${ms(r.loadOneByOneMs)} | ${ms(r.upsertUs)} | ${ms(r.replaceUs)} | ` +
        `${ms(r.queryP50Ms)} | ${ms(r.queryP95Ms)} | ${ratio(r.p50VsFlat)} | ${ms(r.filteredP50Ms)} | ${r.recallAt10.toFixed(3)} | ` +
        `${r.filteredRecallAt10.toFixed(3)} | ${r.persistedBytesPerVector} | ${r.memoryBytesPerVector}${r.index === 'voy' ? '+' : ''} |`,
    );
  }
  lines.push('');
  return lines;
}

function peerTable(rows) {
  const lines = [
    '## Peers (top-10, 384-d, clustered data, same vectors and queries)',
    '',
    '| engine | size | load ms | query p50 ms | p95 ms | recall@10 vs exact |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.engine} | ${r.size.toLocaleString('en')} | ${ms(r.loadMs)} | ${ms(r.queryP50Ms)} | ${ms(r.queryP95Ms)} | ${r.recallAt10.toFixed(3)} |`,
    );
  }
  lines.push('');
  return lines;
}

function embeddingTable(rows) {
  const lines = [
    '## Embedding (our path vs a bare transformers.js pipeline, same model, texts and batch, taking turns; ratio: median of the rounds, lowest–highest round in brackets)',
    '',
    '| model | texts | batch | ours texts/s | bare texts/s | ratio (target ≥ 0.9) | search during addMany: n, p50 / max ms (target ≤ 50) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const during = r.searchDuringIngest;
    const searches = during ? `${during.searches}, ${during.p50Ms.toFixed(1)} / ${during.maxMs.toFixed(1)}` : '–';
    lines.push(
      `| ${r.model} | ${r.texts} | ${r.batch} | ${r.oursPerSecond.toFixed(0)} | ${r.barePerSecond.toFixed(0)} | ${r.ratio.toFixed(2)}${r.ratioRange ? ` (${r.ratioRange[0].toFixed(2)}–${r.ratioRange[1].toFixed(2)})` : ''} | ${searches} |`,
    );
  }
  lines.push('');
  return lines;
}

function contextTable(rows) {
  const lines = [
    '## Context (query → assembled context, local word-vector embedder, query embedding included)',
    '',
    '| memories | queries | build p50 ms | build p95 ms (target ≤ 25 at 10k) | memory tokens p50 | max (target ≤ 1,500) | chat.send beyond context + reply, p50 ms |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.memories.toLocaleString('en')} | ${r.queries} | ${ms(r.buildP50Ms)} | ${ms(r.buildP95Ms)} | ${r.memoryTokensP50} | ${r.memoryTokensMax} | ${ms(r.sendOverheadP50Ms)} |`,
    );
  }
  lines.push('');
  return lines;
}

const reembedCell = (r) =>
  !r.reembedModel
    ? '–'
    : r.reembeddedMs === undefined
      ? `unfinished: ${r.reembedded} embedded (${r.reembedModel})`
      : `${ms(r.reembeddedMs)} (${r.reembedModel})`;

function syncTable(rows) {
  const lines = [
    '## Sync (pouchdb-server on loopback, real IndexedDB; goals: searchable ≤ 15 s at 10k, change p50 ≤ 1 s, server ≤ 2× local bytes)',
    '',
    '| memories | upload ms | new device searchable ms | transport alone ms (documents / memory) | opening ms | re-embedded on arrival ms | change p50 ms | change p95 ms | one record check ms: all / changed only | server bytes / memory | local bytes / memory | server / local |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const local = r.localBytesPerMemory;
    lines.push(
      `| ${r.memories} | ${ms(r.uploadMs)} | ${ms(r.searchableMs)} | ${ms(r.transportMs)}${r.docsPerMemory ? ` (${r.docsPerMemory.toFixed(2)})` : ''} | ${ms(r.openMs)} | ${reembedCell(r)} | ${ms(r.changeP50Ms)} | ${ms(r.changeP95Ms)} | ${r.check ? `${ms(r.check.wholeMs)} / ${ms(r.check.trackedMs)}` : '–'} | ${r.serverBytesPerMemory.toFixed(0)} | ${local === null ? '–' : local.toFixed(0)} | ${local ? ratio(r.serverBytesPerMemory / local) : '–'} |`,
    );
  }
  lines.push('');
  return lines;
}

function storageTable(storage) {
  const lines = [
    '## Storage (real IndexedDB, vectors given, 384-d)',
    '',
    '| memories | index | persist ms | cold start ms, new page | its first search ms | cold start ms, same page | its first search ms | bytes / memory | export ms | export MB | import ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of storage) {
    lines.push(
      `| ${row.memories} | ${row.vectorIndex} | ${ms(row.persistMs)} | ${ms(row.freshStartMs)} | ${ms(row.freshFirstSearchMs)} | ${ms(row.coldStartMs)} | ${ms(row.firstSearchMs)} | ${row.bytesPerMemory === null ? '–' : row.bytesPerMemory.toFixed(0)} | ${ms(row.exportMs)} | ${(row.exportBytes / 1_048_576).toFixed(1)} | ${ms(row.importMs)} |`,
    );
  }
  lines.push(
    '',
    'Cold start, new page: the profile opened by a new page of the same browser profile, as a user who comes back ' +
      'finds it. Same page: reopened at once in the page that persisted it (its heap and IndexedDB still busy with the writes).',
    '',
  );
  return lines;
}

function breakdownTable(parts, n) {
  const lines = [
    `## Persist, part by part (${n} memories, batches of 1,024, each part alone on a fresh database)`,
    '',
    '| part | µs / memory | bytes / memory |',
    '|---|---|---|',
  ];
  for (const row of parts) {
    lines.push(`| ${row.part} | ${row.microseconds.toFixed(1)} | ${row.bytes === null ? '–' : row.bytes.toFixed(0)} |`);
  }
  lines.push('');
  return lines;
}

function bundleTable(b) {
  return [
    '## Bundle (gzip)',
    '',
    '| part | size |',
    '|---|---|',
    `| app entry (main thread, with the chunks it imports statically) | ${kb(b.appEntryGzip)} |`,
    `| memory worker without model libraries (with its static imports) | ${kb(b.memoryWorkerGzip)} |`,
    `| app shell (all JS + CSS, no model libraries) | ${kb(b.appShellGzip)} |`,
    `| model libraries (transformers.js, WebLLM, ONNX runtime WASM) | ${kb(b.modelLibrariesGzip)} |`,
    '',
  ];
}

const COLORS = { flat: '#4338ca', int8: '#16a34a', voy: '#d97706' };
const DASHES = { random: '', clustered: '6 3', 'near-duplicates': '2 3' };
const TARGET_MS = 8;

/** Query p50 against index size, both axes logarithmic; one line per index and dataset, the 8 ms target dashed. */
export function indexChart(rows) {
  const w = 640;
  const h = 360;
  const [left, right, top, bottom] = [64, 170, 30, 44];
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
  const values = rows.map((r) => r.queryP50Ms).filter((v) => v > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...values, TARGET_MS)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...values, TARGET_MS)));
  const xMin = Math.log10(sizes[0]);
  const xSpan = Math.max(Math.log10(sizes[sizes.length - 1]) - xMin, 1);
  const x = (size) => left + ((Math.log10(size) - xMin) / xSpan) * (w - left - right);
  const y = (v) => top + (1 - (Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / Math.log10(yMax / yMin)) * (h - top - bottom);
  const parts = [];
  for (let e = Math.log10(yMin); e <= Math.log10(yMax); e++) {
    const v = 10 ** e;
    parts.push(
      `<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${w - right}" y2="${y(v).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end">${v >= 1 ? v : v.toFixed(-e)}</text>`,
    );
  }
  for (const size of sizes) {
    parts.push(
      `<line x1="${x(size).toFixed(1)}" y1="${top}" x2="${x(size).toFixed(1)}" y2="${h - bottom}" stroke="#e5e7eb"/>`,
      `<text x="${x(size).toFixed(1)}" y="${h - bottom + 16}" font-size="11" text-anchor="middle">${size.toLocaleString('en')}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${y(TARGET_MS).toFixed(1)}" x2="${w - right}" y2="${y(TARGET_MS).toFixed(1)}" stroke="#dc2626" stroke-dasharray="4 4"/>`,
    `<text x="${w - right - 4}" y="${(y(TARGET_MS) - 5).toFixed(1)}" font-size="11" fill="#dc2626" text-anchor="end">target ${TARGET_MS} ms</text>`,
  );
  const legend = [];
  for (const data of Object.keys(DASHES)) {
    for (const kind of Object.keys(COLORS)) {
      const line = rows.filter((r) => r.data === data && r.index === kind).sort((a, b) => a.size - b.size);
      if (line.length === 0) continue;
      const points = line.map((r) => `${x(r.size).toFixed(1)},${y(r.queryP50Ms).toFixed(1)}`).join(' ');
      parts.push(
        `<polyline points="${points}" fill="none" stroke="${COLORS[kind]}" stroke-width="2" stroke-dasharray="${DASHES[data]}"/>`,
      );
      for (const r of line) {
        parts.push(
          `<circle cx="${x(r.size).toFixed(1)}" cy="${y(r.queryP50Ms).toFixed(1)}" r="3" fill="${COLORS[kind]}"><title>${kind}, ${data}, ${r.size.toLocaleString('en')}: ${ms(r.queryP50Ms)} ms</title></circle>`,
        );
      }
      const ly = top + 8 + (legend.length / 2) * 18;
      legend.push(
        `<line x1="${w - right + 12}" y1="${ly}" x2="${w - right + 40}" y2="${ly}" stroke="${COLORS[kind]}" stroke-width="2" stroke-dasharray="${DASHES[data]}"/>`,
        `<text x="${w - right + 46}" y="${ly + 4}" font-size="11">${kind}, ${data}</text>`,
      );
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, sans-serif">
<rect width="${w}" height="${h}" fill="#fff"/>
<text x="${left}" y="18" font-size="13">Top-10 query p50 (ms, log) against index size (384-d, log)</text>
<line x1="${left}" y1="${h - bottom}" x2="${w - right}" y2="${h - bottom}" stroke="#6b7280"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${h - bottom}" stroke="#6b7280"/>
<text x="${(left + w - right) / 2}" y="${h - 8}" font-size="11" text-anchor="middle">vectors in the index</text>
${parts.join('\n')}
${legend.join('\n')}
</svg>
`;
}
