// The gradient-flow section: the norm ‖δh_t‖ (and ‖δc_t‖ for an LSTM) of every state
// gradient per timestep, as a table and as a line chart. The chart is an SVG written here as
// a string; the Markdown embeds it as a data: URL image, and the numbers it is drawn from
// travel inside it (a JSON in its <desc>), so that the LaTeX writer (src/render/tex.ts) can
// draw the same chart with LaTeX's own picture environment from the same data.
//
// The norms are computed from the trace: the sum of squares exactly, the square root at the
// working precision. Only the chart's geometry uses floating point.
import { Numeric, type Num } from '../numeric/index.js';
import type { Trace, Vec } from '../trace/types.js';

/** a state-gradient id: ex<n>.t<t>.d<h|c>, with a layer and/or direction suffix */
export const STATE_GRAD_ID = /^ex(\d+)\.t(\d+)\.d(h|c)(_l\d+)?(_reverse)?$/;

/** One line of the chart: the norms of one state gradient of one example, per timestep. */
export interface FlowSeries {
  example: number;
  state: 'h' | 'c';
  /** the layer suffix as the ids write it (`l1`), or null */
  layer: string | null;
  reverse: boolean;
  /** the norm at timestep t, LaTeX with `t` as given: \lVert \delta h_{t} \rVert */
  sym: string;
  /** the legend: plain text */
  label: string;
  points: { t: number; id: string; norm: Num }[];
  /** the gradient at the far end of the walk back relative to where it starts */
  reading: { from: number; to: number; fromSym: string; toSym: string; ratio: Num; trend: 'shrinks' | 'grows' | 'keeps its size' } | null;
  /** the gradient where the walk back starts is exactly zero: no ratio */
  zeroStart: boolean;
}

export interface FlowView {
  series: FlowSeries[];
  examples: {
    index: number;
    length: number;
    columns: { sym: string }[];
    rows: { t: number; token: string | null; cells: (Num | null)[] }[];
    readings: { sym: string; reading: NonNullable<FlowSeries['reading']> | null; zeroStart: boolean; single: boolean }[];
  }[];
  log: boolean;
  /** a value of exactly 0 is drawn on the lower edge of a log-scale chart */
  zeroOnLog: boolean;
  /** the chart: an SVG as a data: URL */
  plot: string;
  alt: string;
  lstm: boolean;
  cell: Trace['cell'];
}

/** ‖v‖ = √(Σ vᵢ²): the sum of squares exact (for exact entries), the root at working precision. */
export function norm(n: Numeric, v: Vec): Num {
  return n.sqrt(n.sum(v.map((x) => n.mul(x, x))));
}

/** the network has several layers / two directions: every series says which it is */
interface Shape {
  stacked: boolean;
  bidirectional: boolean;
}
const shapeOf = (series: { layer: string | null; reverse: boolean }[]): Shape => ({ stacked: series.some((s) => s.layer !== null), bidirectional: series.some((s) => s.reverse) });
/** layers as the solution counts them: ids count from 0 (`_l1` is the second layer) */
const layerNumber = (layer: string | null) => (layer === null ? 1 : Number(layer.slice(1)) + 1);

const suffixText = (layer: string | null, reverse: boolean, shape: Shape): string =>
  [shape.stacked ? `layer ${layerNumber(layer)}` : null, shape.bidirectional ? (reverse ? 'reverse' : 'forward') : null].filter(Boolean).join(', ');

/** `\lVert \delta h_{t} \rVert`; the layer as a superscript, the direction as an arrow (as src/render/symbols.ts writes states) */
export function normSym(state: 'h' | 'c', t: number | string, layer: string | null, reverse: boolean, shape: Shape = { stacked: layer !== null, bidirectional: reverse }): string {
  const letter = reverse ? `\\overleftarrow{${state}}` : shape.bidirectional ? `\\overrightarrow{${state}}` : state;
  const sup = shape.stacked ? `^{(${layerNumber(layer)})}` : '';
  const body = `${letter}${sup}_{${t}}`;
  return `\\lVert \\delta ${letter === state && !sup ? body : `{${body}}`} \\rVert`;
}

export function buildFlow(trace: Trace): FlowView {
  const n = Numeric.at(trace.precision);
  const groups = new Map<string, FlowSeries>();
  for (const [id, value] of trace.quantities) {
    const m = STATE_GRAD_ID.exec(id);
    if (!m || value.kind !== 'vec') continue;
    const example = Number(m[1]);
    const state = m[3] as 'h' | 'c';
    const layer = m[4] ? m[4].slice(1) : null;
    const reverse = Boolean(m[5]);
    const key = `${example} ${state} ${layer ?? ''} ${reverse}`;
    let s = groups.get(key);
    if (!s) {
      s = { example, state, layer, reverse, sym: '', label: '', points: [], reading: null, zeroStart: false };
      groups.set(key, s);
    }
    s.points.push({ t: Number(m[2]), id, norm: norm(n, value.x) });
  }
  const layerNo = (l: string | null) => (l === null ? -1 : Number(l.slice(1)));
  const series = [...groups.values()].sort(
    (a, b) => a.example - b.example || layerNo(a.layer) - layerNo(b.layer) || Number(a.reverse) - Number(b.reverse) || (a.state === b.state ? 0 : a.state === 'h' ? -1 : 1),
  );
  const shape = shapeOf(series);
  for (const s of series) {
    s.points.sort((a, b) => a.t - b.t);
    s.sym = normSym(s.state, 't', s.layer, s.reverse, shape);
    s.label = seriesLabel(s, shape).text;
    if (s.points.length < 2) continue;
    // the walk back starts at the last timestep (at the first for the reverse direction)
    const start = s.reverse ? s.points[0]! : s.points[s.points.length - 1]!;
    const end = s.reverse ? s.points[s.points.length - 1]! : s.points[0]!;
    if (start.norm.v.isZero()) {
      s.zeroStart = true;
      continue;
    }
    const ratio = n.div(end.norm, start.norm);
    const trend = ratio.v.lt(1) ? 'shrinks' : ratio.v.gt(1) ? 'grows' : 'keeps its size';
    s.reading = { from: start.t, to: end.t, fromSym: normSym(s.state, start.t, s.layer, s.reverse, shape), toSym: normSym(s.state, end.t, s.layer, s.reverse, shape), ratio, trend };
  }
  const examples = trace.examples.map((e) => {
    const mine = series.filter((s) => s.example === e.index);
    const ts = [...new Set(mine.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
    return {
      index: e.index,
      length: e.length,
      columns: mine.map((s) => ({ sym: s.sym })),
      rows: ts.map((t) => ({ t, token: e.tokens?.[t - 1] ?? null, cells: mine.map((s) => s.points.find((p) => p.t === t)?.norm ?? null) })),
      readings: mine.map((s) => ({ sym: s.sym, reading: s.reading, zeroStart: s.zeroStart, single: s.points.length < 2 })),
    };
  });
  const data = plotData(series);
  return {
    series,
    examples,
    log: data.scale === 'log',
    zeroOnLog: data.scale === 'log' && data.series.some((s) => s.points.some((p) => p.y === '0')),
    plot: svgDataUrl(renderSvg(data)),
    alt: 'Gradient norms per timestep',
    lstm: trace.cell === 'lstm',
    cell: trace.cell,
  };
}

// ---------------------------------------------------------------------------------------
// The chart's data: what the SVG carries in its <desc>, and what both drawings are made from

export const PLOT_KIND = 'unrolled-gradient-flow';

export interface PlotData {
  kind: typeof PLOT_KIND;
  scale: 'log' | 'linear';
  /** the last timestep of the x axis */
  T: number;
  series: { example: number; state: 'h' | 'c'; layer: string | null; reverse: boolean; points: { t: number; y: string }[] }[];
}

/** A value as decimal text of 6 significant digits (for drawing only). */
const plotText = (x: Num): string => (x.v.isZero() ? '0' : x.v.toSignificantDigits(6).toExponential());

export function plotData(series: FlowSeries[]): PlotData {
  const values = series.flatMap((s) => s.points.map((p) => p.norm)).filter((x) => !x.v.isZero());
  let scale: PlotData['scale'] = 'linear';
  if (values.length) {
    let min = values[0]!.v;
    let max = values[0]!.v;
    for (const x of values) {
      if (x.v.lt(min)) min = x.v;
      if (x.v.gt(max)) max = x.v;
    }
    // (no division: an exact value's quotient would be carried to unbounded precision)
    if (max.gt(min.times(100))) scale = 'log';
  }
  return {
    kind: PLOT_KIND,
    scale,
    T: Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.t))),
    series: series.map((s) => ({ example: s.example, state: s.state, layer: s.layer, reverse: s.reverse, points: s.points.map((p) => ({ t: p.t, y: plotText(p.norm) })) })),
  };
}

/** log10 of a positive decimal text, without underflow (1e-400 is fine) */
function log10(text: string): number {
  const m = /^(\d+(?:\.\d*)?)(?:e([+-]?\d+))?$/i.exec(text);
  if (!m) return Number.NaN;
  const mant = Number(m[1]);
  return Math.log10(mant) + Number(m[2] ?? 0);
}

// ---------------------------------------------------------------------------------------
// Geometry, shared by the SVG and the LaTeX picture: a W × H box, y pointing up

export const BOX = { W: 640, H: 340, left: 72, right: 200, top: 16, bottom: 48 };
export const MARKERS = ['disc', 'circle', 'square', 'box'] as const;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

export interface Layout {
  /** the plot area */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  xTicks: { x: number; label: string }[];
  /** a y tick: its label as text, or 10^exp on a log scale */
  yTicks: { y: number; text: string | null; exp: number | null }[];
  series: {
    label: string;
    /** LaTeX of the label (built from the validated fields only) */
    tex: string;
    color: string;
    marker: (typeof MARKERS)[number];
    dashed: boolean;
    points: { x: number; y: number; t: number; value: string; zero: boolean }[];
  }[];
  legend: { x: number; y: number }[];
}

export function seriesLabel(s: { example: number; state: 'h' | 'c'; layer: string | null; reverse: boolean }, shape: Shape): { text: string; tex: string } {
  const extra = suffixText(s.layer, s.reverse, shape);
  return {
    text: `Example ${s.example}: ‖δ${s.state}‖${extra ? ` (${extra})` : ''}`,
    tex: `Example ${s.example}: $\\lVert\\delta ${s.state}\\rVert$${extra ? ` (${extra})` : ''}`,
  };
}

/** A step of 1, 2 or 5 times a power of ten giving about `n` intervals up to `max`. */
function niceStep(max: number, n: number): number {
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

export function layout(data: PlotData): Layout {
  const { W, H, left, right, top, bottom } = BOX;
  const x0 = left;
  const x1 = W - right;
  const y0 = bottom;
  const y1 = H - top;
  const T = Math.max(1, Math.floor(data.T));
  const xOf = (t: number) => (T === 1 ? (x0 + x1) / 2 : x0 + ((t - 1) / (T - 1)) * (x1 - x0));
  const xEvery = Math.max(1, Math.ceil(T / 12));
  const xTicks: Layout['xTicks'] = [];
  for (let t = 1; t <= T; t++) if ((t - 1) % xEvery === 0 || t === T) xTicks.push({ x: xOf(t), label: String(t) });

  const positive = data.series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y !== '0' && Number.isFinite(log10(y)));
  let yOf: (y: string) => number;
  const yTicks: Layout['yTicks'] = [];
  if (data.scale === 'log' && positive.length) {
    const logs = positive.map(log10);
    let lo = Math.floor(Math.min(...logs));
    let hi = Math.ceil(Math.max(...logs));
    if (hi === lo) hi = lo + 1;
    const span = hi - lo;
    yOf = (y) => (y === '0' ? y0 : y0 + ((log10(y) - lo) / span) * (y1 - y0));
    const every = Math.max(1, Math.ceil(span / 8));
    for (let k = lo; k <= hi; k += every) yTicks.push({ y: y0 + ((k - lo) / span) * (y1 - y0), text: null, exp: k });
  } else {
    const max = Math.max(0, ...positive.map(Number));
    const step = max > 0 ? niceStep(max, 5) : 0.2;
    const count = max > 0 ? Math.max(1, Math.ceil(max / step - 1e-9)) : 5;
    const topValue = step * count;
    yOf = (y) => y0 + (Number(y) / topValue) * (y1 - y0);
    const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    for (let k = 0; k <= count; k++) {
      const v = k * step;
      yTicks.push({ y: y0 + (k / count) * (y1 - y0), text: k === 0 ? '0' : decimals <= 6 ? v.toFixed(decimals) : v.toExponential(0), exp: null });
    }
  }
  const shape = shapeOf(data.series);
  const series = data.series.map((s, i) => {
    const { text, tex } = seriesLabel(s, shape);
    return {
      label: text,
      tex,
      color: COLORS[i % COLORS.length]!,
      marker: MARKERS[i % MARKERS.length]!,
      dashed: s.state === 'c',
      points: s.points.map((p) => ({ x: xOf(p.t), y: yOf(p.y), t: p.t, value: p.y, zero: p.y === '0' })),
    };
  });
  const legend = series.map((_, i) => ({ x: x1 + 24, y: y1 - 10 - i * 20 }));
  return { x0, x1, y0, y1, xTicks, yTicks, series, legend };
}

// ---------------------------------------------------------------------------------------
// SVG

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const f = (x: number) => String(Math.round(x * 100) / 100);

function svgMarker(kind: Layout['series'][number]['marker'], x: number, y: number, color: string, title: string | null): string {
  const t = title === null ? '' : `<title>${escapeXml(title)}</title>`;
  const fill = kind === 'disc' || kind === 'square' ? color : '#ffffff';
  if (kind === 'disc' || kind === 'circle') return `<circle cx="${f(x)}" cy="${f(y)}" r="4" fill="${fill}" stroke="${color}" stroke-width="1.5">${t}</circle>`;
  return `<rect x="${f(x - 3.5)}" y="${f(y - 3.5)}" width="7" height="7" fill="${fill}" stroke="${color}" stroke-width="1.5">${t}</rect>`;
}

export function renderSvg(data: PlotData): string {
  const L = layout(data);
  const { W, H } = BOX;
  const Y = (y: number) => H - y; // SVG's y points down
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<title>Gradient norms per timestep</title>`);
  out.push(`<desc>${escapeXml(JSON.stringify(data))}</desc>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  // grid and ticks
  for (const tk of L.yTicks) {
    out.push(`<line x1="${f(L.x0)}" y1="${f(Y(tk.y))}" x2="${f(L.x1)}" y2="${f(Y(tk.y))}" stroke="#e0e0e0" stroke-width="1"/>`);
    const label = tk.exp !== null ? `10<tspan dy="-6" font-size="9">${tk.exp}</tspan>` : escapeXml(tk.text ?? '');
    out.push(`<text x="${f(L.x0 - 6)}" y="${f(Y(tk.y) + 4)}" text-anchor="end">${label}</text>`);
  }
  for (const tk of L.xTicks) {
    out.push(`<line x1="${f(tk.x)}" y1="${f(Y(L.y0))}" x2="${f(tk.x)}" y2="${f(Y(L.y0) + 5)}" stroke="#000000" stroke-width="1"/>`);
    out.push(`<text x="${f(tk.x)}" y="${f(Y(L.y0) + 18)}" text-anchor="middle">${escapeXml(tk.label)}</text>`);
  }
  // axes
  out.push(`<line x1="${f(L.x0)}" y1="${f(Y(L.y0))}" x2="${f(L.x1)}" y2="${f(Y(L.y0))}" stroke="#000000" stroke-width="1"/>`);
  out.push(`<line x1="${f(L.x0)}" y1="${f(Y(L.y0))}" x2="${f(L.x0)}" y2="${f(Y(L.y1))}" stroke="#000000" stroke-width="1"/>`);
  out.push(`<text x="${f((L.x0 + L.x1) / 2)}" y="${f(Y(L.y0) + 38)}" text-anchor="middle">timestep t</text>`);
  out.push(`<text x="16" y="${f(Y((L.y0 + L.y1) / 2))}" text-anchor="middle" transform="rotate(-90 16 ${f(Y((L.y0 + L.y1) / 2))})">norm of the state gradient${data.scale === 'log' ? ' (log scale)' : ''}</text>`);
  // series
  for (const s of L.series) {
    const pts = s.points.map((p) => `${f(p.x)},${f(Y(p.y))}`).join(' ');
    out.push(`<g><title>${escapeXml(s.label)}</title>`);
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const p of s.points) out.push(svgMarker(s.marker, p.x, Y(p.y), s.color, `${s.label}, t = ${p.t}: ${p.value === '0' ? '0' : Number(p.value).toPrecision(4)}`));
    out.push(`</g>`);
  }
  // legend
  L.series.forEach((s, i) => {
    const { x, y } = L.legend[i]!;
    out.push(`<line x1="${f(x)}" y1="${f(Y(y))}" x2="${f(x + 28)}" y2="${f(Y(y))}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(svgMarker(s.marker, x + 14, Y(y), s.color, null));
    out.push(`<text x="${f(x + 36)}" y="${f(Y(y) + 4)}">${escapeXml(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export const svgDataUrl = (svg: string): string => `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;

/** the only data: URL the Markdown renderers accept besides markdown-it's defaults */
const SVG_DATA_URL = /^data:image\/svg\+xml;base64,[A-Za-z0-9+/]+={0,2}$/;

/**
 * A markdown-it that accepts the gradient-flow chart's SVG data: URL (markdown-it refuses
 * data: URLs by default), and every other link as before: the one rule of both renderers.
 */
export function acceptChartUrls(md: { validateLink: (url: string) => boolean }): void {
  const validateLink = md.validateLink.bind(md);
  md.validateLink = (url: string) => SVG_DATA_URL.test(url) || validateLink(url);
}

/** The chart's data from an image URL, or null when it is not a gradient-flow chart. */
export function plotFromDataUrl(url: string): PlotData | null {
  if (!SVG_DATA_URL.test(url)) return null;
  const svg = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8');
  const m = /<desc>([^<]*)<\/desc>/.exec(svg);
  if (!m) return null;
  const json = m[1]!.replace(/&(amp|lt|gt|quot|apos);/g, (_e, k: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[k]!);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  return validPlot(raw);
}

/** Only the fields a chart has, each of the expected type: nothing else gets through. */
function validPlot(raw: unknown): PlotData | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (r.kind !== PLOT_KIND || (r.scale !== 'log' && r.scale !== 'linear') || !Number.isInteger(r.T) || (r.T as number) < 1 || (r.T as number) > 100000 || !Array.isArray(r.series)) return null;
  const series: PlotData['series'] = [];
  for (const s of r.series as unknown[]) {
    if (typeof s !== 'object' || s === null) return null;
    const o = s as Record<string, unknown>;
    if (!Number.isInteger(o.example) || (o.state !== 'h' && o.state !== 'c') || typeof o.reverse !== 'boolean' || !Array.isArray(o.points)) return null;
    if (o.layer !== null && (typeof o.layer !== 'string' || !/^l\d{1,4}$/.test(o.layer))) return null;
    const points: { t: number; y: string }[] = [];
    for (const p of o.points as unknown[]) {
      const q = p as Record<string, unknown>;
      if (typeof p !== 'object' || p === null || !Number.isInteger(q.t) || typeof q.y !== 'string' || !/^(0|\d(\.\d+)?e[+-]\d+)$/.test(q.y)) return null;
      points.push({ t: q.t as number, y: q.y });
    }
    series.push({ example: o.example as number, state: o.state, layer: o.layer as string | null, reverse: o.reverse, points });
  }
  return { kind: PLOT_KIND, scale: r.scale, T: r.T as number, series };
}
