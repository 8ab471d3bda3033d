// Renders the benchmark ratios as a small, dependency-free SVG bar chart: for each figure one bar per server,
// the reference at 1.0×, signalroom's target as a tick. Lower is better for every figure drawn: a figure where
// higher is better (messages per second) is drawn as its inverse (time per message).

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = ['#1971c2', '#e8590c', '#862e9c', '#2f9e44'];

/**
 * @param rows {label, ratios: Record<key, number | undefined>, target, higherIsBetter}[]
 * @param series {name, key}[] the servers, in drawing order (the first is signalroom, whose target is drawn)
 * @param caption text under the title
 */
export function renderChart(rows, series, caption) {
  const width = 820;
  const barHeight = 14;
  const groupGap = 16;
  const left = 330;
  const top = 84;
  const shown = (row, key) => {
    const ratio = row.ratios[key];
    return ratio === undefined ? undefined : row.higherIsBetter ? 1 / ratio : ratio;
  };
  const all = rows.flatMap((row) => series.map((s) => shown(row, s.key)).filter((r) => r !== undefined));
  const max = Math.max(1.5, ...all.map((r) => r * 1.1));
  const x = (ratio) => left + (ratio / max) * (width - left - 70);
  const groupHeight = series.length * barHeight + groupGap;
  const height = top + rows.length * groupHeight + 30;
  const groups = rows
    .map((row, i) => {
      const y0 = top + i * groupHeight;
      const target = row.higherIsBetter ? 1 / row.target : row.target;
      const label = row.higherIsBetter ? `${row.label} (inverse)` : row.label;
      const bars = series.map((s, k) => {
        const ratio = shown(row, s.key);
        const y = y0 + k * barHeight;
        if (ratio === undefined) return `<text x="${left + 4}" y="${y + 11}" fill="#999">n/a</text>`;
        return `<rect x="${left}" y="${y}" width="${x(ratio) - left}" height="${barHeight - 2}" fill="${COLORS[k % COLORS.length]}"/><text x="${x(ratio) + 4}" y="${y + 11}">${ratio.toFixed(2)}×</text>`;
      });
      return [
        `<text x="${left - 10}" y="${y0 + (series.length * barHeight) / 2 + 4}" text-anchor="end">${escape(label)}</text>`,
        ...bars,
        `<line x1="${x(target)}" x2="${x(target)}" y1="${y0 - 2}" y2="${y0 + barHeight + 1}" stroke="#222" stroke-width="2" stroke-dasharray="3 2"/>`,
      ].join('');
    })
    .join('\n');
  const legend = series
    .map((s, k) => `<rect x="${20 + k * 180}" y="56" width="12" height="12" fill="${COLORS[k % COLORS.length]}"/><text x="${38 + k * 180}" y="66">${escape(s.name)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="20" y="24" font-size="15" font-weight="600">Cost relative to a minimal relay (1.0× = the relay; lower is better)</text>
<text x="20" y="42" fill="#555">${escape(caption)} · dashed line: signalroom's target</text>
${legend}
<line x1="${x(1)}" x2="${x(1)}" y1="${top - 8}" y2="${height - 24}" stroke="#888"/>
<text x="${x(1)}" y="${height - 8}" text-anchor="middle" fill="#555">1.0×</text>
${groups}
</svg>
`;
}
