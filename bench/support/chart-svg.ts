/** A plain line chart as SVG (no dependency): one polyline per series, axes with min/max labels, a legend. */
export interface ChartSeries {
  name: string;
  points: Array<[number, number]>;
}

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function renderChartSvg(options: { title: string; xLabel: string; series: ChartSeries[]; width?: number; height?: number }): string {
  const width = options.width ?? 1000;
  const height = options.height ?? 560;
  const left = 70;
  const right = 170;
  const top = 40;
  const bottom = 50;
  const all = options.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  const maxX = Math.max(1, ...all.map(([x]) => x));
  const maxY = Math.max(1, ...all.map(([, y]) => y)) * 1.1;
  const px = (x: number) => left + (x / maxX) * (width - left - right);
  const py = (y: number) => height - bottom - (y / maxY) * (height - top - bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = py(maxY * f);
    return `<line x1="${left}" y1="${y}" x2="${width - right}" y2="${y}" stroke="#ddd"/><text x="${left - 8}" y="${y + 4}" text-anchor="end" font-size="12">${Math.round(maxY * f)}</text>`;
  });
  const lines = options.series.map((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = s.points.filter(([, y]) => Number.isFinite(y)).map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const legendY = top + 20 * i;
    return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points}"/><rect x="${width - right + 15}" y="${legendY - 9}" width="12" height="12" fill="${colour}"/><text x="${width - right + 32}" y="${legendY + 1}" font-size="13">${escape(s.name)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="24" font-size="16">${escape(options.title)}</text>`,
    ...grid,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#333"/>`,
    `<text x="${left}" y="${height - bottom + 20}" font-size="12">0</text><text x="${width - right}" y="${height - bottom + 20}" text-anchor="end" font-size="12">${maxX}</text>`,
    `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle" font-size="13">${escape(options.xLabel)}</text>`,
    ...lines,
    `</svg>`,
  ].join('\n');
}
