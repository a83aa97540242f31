// Markdown table and a hand-written SVG chart from a benchmark results object.
const ms = (value) => (Number.isFinite(value) ? (value < 10 ? value.toFixed(2) : value.toFixed(0)) : '–');
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

export function markdownReport(results) {
  const lines = [
    `# Mneme benchmarks ${results.date}${results.quick ? ' (quick)' : ''}`,
    '',
    `Chromium: ${results.machine.userAgent}; ${results.machine.cores} cores.`,
    '',
  ];
  lines.push(
    '## Vector index (top-10, 384-d)',
    '',
    '| data | size | index | build ms | query p50 ms | p95 ms | × flat p50 | recall@10 |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const row of results.index) {
    if (row.skipped) lines.push(`| ${row.data} | ${row.size} | ${row.index} | – | – | – | – | ${row.skipped} |`);
    else
      lines.push(
        `| ${row.data} | ${row.size} | ${row.index} | ${ms(row.buildMs)} | ${ms(row.queryP50Ms)} | ${ms(row.queryP95Ms)} | ${row.p50VsFlat.toFixed(2)} | ${row.recallAt10.toFixed(3)} |`,
      );
  }
  lines.push(
    '',
    '## Storage (real IndexedDB, vectors given, 384-d)',
    '',
    '| memories | index | persist ms | cold start ms | first search ms | bytes / memory | export ms | export MB | import ms |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const row of results.storage) {
    lines.push(
      `| ${row.memories} | ${row.vectorIndex} | ${ms(row.persistMs)} | ${ms(row.coldStartMs)} | ${ms(row.firstSearchMs)} | ${row.bytesPerMemory === null ? '–' : row.bytesPerMemory.toFixed(0)} | ${ms(row.exportMs)} | ${(row.exportBytes / 1_048_576).toFixed(1)} | ${ms(row.importMs)} |`,
    );
  }
  const b = results.bundle;
  lines.push(
    '',
    '## Bundle (gzip)',
    '',
    '| part | size |',
    '|---|---|',
    `| app entry (main thread) | ${kb(b.appEntryGzip)} |`,
    `| memory worker without model libraries | ${kb(b.memoryWorkerGzip)} |`,
    `| app shell (all JS + CSS, no model libraries) | ${kb(b.appShellGzip)} |`,
    `| model libraries (transformers.js + ONNX runtime WASM) | ${kb(b.modelLibrariesGzip)} |`,
    '',
  );
  return lines.join('\n');
}

export function indexChart(rows) {
  const data = rows.filter((r) => r.data === 'random' && !r.skipped);
  const sizes = [...new Set(data.map((r) => r.size))].sort((a, b) => a - b);
  const kinds = ['flat', 'int8', 'voy'];
  const colors = { flat: '#4338ca', int8: '#16a34a', voy: '#d97706' };
  const max = Math.max(...data.map((r) => r.queryP50Ms), 1);
  const w = 560,
    h = 300,
    left = 60,
    bottom = 40,
    top = 30,
    barW = 28;
  const groupW = (w - left - 20) / sizes.length;
  const y = (v) => top + (h - top - bottom) * (1 - v / max);
  const bars = sizes.flatMap((size, g) =>
    kinds.map((kind, k) => {
      const row = data.find((r) => r.size === size && r.index === kind);
      if (!row) return '';
      const x = left + g * groupW + 20 + k * (barW + 6);
      return (
        `<rect x="${x}" y="${y(row.queryP50Ms).toFixed(1)}" width="${barW}" height="${(h - bottom - y(row.queryP50Ms)).toFixed(1)}" fill="${colors[kind]}"><title>${kind} ${size}: ${row.queryP50Ms.toFixed(2)} ms</title></rect>` +
        `<text x="${x + barW / 2}" y="${(y(row.queryP50Ms) - 4).toFixed(1)}" font-size="10" text-anchor="middle">${row.queryP50Ms.toFixed(1)}</text>`
      );
    }),
  );
  const labels = sizes.map(
    (size, g) =>
      `<text x="${left + g * groupW + 20 + 1.5 * (barW + 6)}" y="${h - bottom + 18}" font-size="12" text-anchor="middle">${size.toLocaleString('en')} × 384</text>`,
  );
  const legend = kinds.map(
    (kind, k) =>
      `<rect x="${left + k * 90}" y="8" width="12" height="12" fill="${colors[kind]}"/><text x="${left + k * 90 + 16}" y="18" font-size="12">${kind}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, sans-serif">
<rect width="${w}" height="${h}" fill="#fff"/>
<text x="${w - 10}" y="18" font-size="12" text-anchor="end">query p50, ms (lower is better)</text>
${legend.join('\n')}
<line x1="${left}" y1="${h - bottom}" x2="${w - 10}" y2="${h - bottom}" stroke="#999"/>
${bars.join('\n')}
${labels.join('\n')}
</svg>
`;
}
