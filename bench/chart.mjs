// Renders the benchmark ratios as a small, dependency-free SVG bar chart: one bar per figure, the reference at
// 1.0×, the target as a tick. Lower is better for every figure drawn.

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** @param rows {label, ratio, target, pass}[]  @param caption text under the title */
export function renderChart(rows, caption) {
  const width = 760;
  const barHeight = 26;
  const gap = 14;
  const left = 290;
  const top = 64;
  const max = Math.max(1.5, ...rows.map((r) => r.ratio * 1.1));
  const x = (ratio) => left + (ratio / max) * (width - left - 70);
  const height = top + rows.length * (barHeight + gap) + 30;
  const bars = rows
    .map((row, i) => {
      const y = top + i * (barHeight + gap);
      const color = row.pass ? '#2f9e44' : '#e03131';
      return [
        `<text x="${left - 10}" y="${y + 17}" text-anchor="end">${escape(row.label)}</text>`,
        `<rect x="${left}" y="${y}" width="${x(row.ratio) - left}" height="${barHeight}" rx="3" fill="${color}"/>`,
        `<text x="${x(row.ratio) + 6}" y="${y + 17}">${row.ratio.toFixed(2)}×</text>`,
        `<line x1="${x(row.target)}" x2="${x(row.target)}" y1="${y - 3}" y2="${y + barHeight + 3}" stroke="#222" stroke-width="2" stroke-dasharray="3 2"/>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#fff"/>
<text x="20" y="26" font-size="16" font-weight="600">signalroom cost relative to a minimal relay (1.0× = the relay; lower is better)</text>
<text x="20" y="46" fill="#555">${escape(caption)} · dashed line: target</text>
<line x1="${x(1)}" x2="${x(1)}" y1="${top - 8}" y2="${height - 24}" stroke="#888"/>
<text x="${x(1)}" y="${height - 8}" text-anchor="middle" fill="#555">1.0×</text>
${bars}
</svg>
`;
}
