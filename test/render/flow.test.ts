// The gradient-flow section (src/render/flow.ts, templates/md/flow.hbs): the norms of the
// state gradients per timestep, checked against an independent computation; the SVG chart
// (well-formed, one marker per point, log or linear scale, its data URL round-trips); the
// same chart as a LaTeX picture that pdflatex compiles; the <img> in the HTML.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { all, create, type BigNumber, type MathJsInstance } from 'mathjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Numeric, type Num } from '../../src/numeric/index.js';
import { loadProblem } from '../../src/problem/validate.js';
import { solve } from '../../src/engine/solve.js';
import { buildFlow, layout, plotData, plotFromDataUrl, renderSvg, svgDataUrl, STATE_GRAD_ID, type FlowSeries, type PlotData } from '../../src/render/flow.js';
import { flowPicture, markdownToLatex } from '../../src/render/tex.js';
import { solveToText } from '../../src/run/solve.js';
import { compilePdf, findPdflatex } from '../../src/run/pdf.js';
import type { Detail } from '../../src/render/view.js';
import type { Trace } from '../../src/trace/types.js';

const SEED = 'fixtures/seed-rnn-sentiment.yaml';
const LSTM = 'fixtures/lstm-textbook-small.yaml';
const PRECISION = 64;

const traceOf = (file: string, hand: number | null = null): Trace => {
  const n = Numeric.at(PRECISION);
  return solve(loadProblem(file, n), { precision: PRECISION, hand });
};
const text = (problem: string, format: 'md' | 'tex' | 'html' | 'json', detail: Detail = 'full', arithmetic?: 'hand') =>
  solveToText({ problem, format, out: null, decimals: 4, detail, precision: PRECISION, ...(arithmetic ? { arithmetic } : {}) }).text;

/** an independent big-decimal arithmetic (mathjs BigNumber, 80 digits) */
const big: MathJsInstance = create(all, { number: 'BigNumber', precision: 80 }) as MathJsInstance;
const B = (x: string | number): BigNumber => big.bignumber(String(x)) as BigNumber;
const bigNorm = (xs: (string | number)[]): BigNumber => big.sqrt(xs.map(B).reduce((s, x) => big.add(s, big.multiply(x, x)) as BigNumber, B(0))) as BigNumber;
/** |a − b| ≤ 10^-digits · |b| */
const agrees = (a: BigNumber, b: BigNumber, digits: number) =>
  (big.abs(big.subtract(a, b)) as BigNumber).lte((big.multiply(big.abs(b), B(`1e-${digits}`)) as BigNumber));
const asBig = (x: Num) => B(x.v.toString());

/** the SVG inside the Markdown's image, and the image's data URL */
function plotOf(markdown: string): { url: string; svg: string } {
  const m = /!\[Gradient norms per timestep\]\((data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+)\)/.exec(markdown);
  if (!m) throw new Error('no gradient-flow image in the Markdown');
  return { url: m[1]!, svg: Buffer.from(m[1]!.split(',')[1]!, 'base64').toString('utf8') };
}

/** well-formed XML, checked by a parser (xmllint when installed, else a tag-balance check) */
function wellFormed(svg: string): void {
  try {
    execFileSync('xmllint', ['--noout', '-'], { input: svg, stdio: ['pipe', 'pipe', 'pipe'] });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`xmllint: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
  const stack: string[] = [];
  const body = svg.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<|>/g)) {
    if (m[0] === '<') throw new Error(`a stray < at ${m.index}`);
    if (m[0] === '>') throw new Error(`a stray > at ${m.index}`);
    if (m[1]) expect(stack.pop(), `</${m[2]}> closes the open element`).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
  for (const m of body.matchAll(/&[^;\s]*;?/g)) expect(m[0]).toMatch(/^&(amp|lt|gt|quot|apos);$/);
}

describe('the norms of the seed example', () => {
  const trace = traceOf(SEED);
  const flow = buildFlow(trace);
  const reference = JSON.parse(readFileSync('test/reference/seed-rnn-sentiment.json', 'utf8')) as { quantities: Record<string, unknown> };
  const json = JSON.parse(text(SEED, 'json')) as { quantities: Record<string, unknown> };

  it('has one series per example: δh at every timestep', () => {
    expect(flow.series.map((s) => [s.example, s.state, s.points.map((p) => p.t)])).toEqual([
      [1, 'h', [1, 2, 3, 4, 5, 6]],
      [2, 'h', [1, 2, 3, 4]],
    ]);
  });

  it('agrees with ‖·‖ of the reference values (float64: to 10 digits)', () => {
    let checked = 0;
    for (const s of flow.series) {
      for (const p of s.points) {
        const ref = reference.quantities[p.id] as number[];
        expect(ref, p.id).toBeDefined();
        expect(agrees(asBig(p.norm), bigNorm(ref), 10), `${p.id}: ${p.norm.v.toString()} vs ${bigNorm(ref).toString()}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(10);
  });

  it('is the square root of the sum of squares of the solution\'s own values to 30 digits', () => {
    for (const s of flow.series) {
      for (const p of s.points) {
        const exact = bigNorm(json.quantities[p.id] as string[]);
        expect(agrees(asBig(p.norm), exact, 30), p.id).toBe(true);
        expect(p.norm.exact).toBe(false);
      }
    }
    // ‖δh_6‖ of example 1, as an independent hand check: 0.1695…
    expect(flow.series[0]!.points[5]!.norm.v.toFixed(4)).toBe('0.1695');
  });

  it('reads the ratio ‖δh_1‖ / ‖δh_T‖ per example', () => {
    for (const s of flow.series) {
      const r = s.reading!;
      expect([r.to, r.from]).toEqual([1, s.points.length]);
      const expected = big.divide(asBig(s.points[0]!.norm), asBig(s.points[s.points.length - 1]!.norm)) as BigNumber;
      expect(agrees(asBig(r.ratio), expected, 30)).toBe(true);
      expect(r.trend).toBe('shrinks');
    }
  });

  it('writes the section with the table, the readings and the chart', () => {
    const md = text(SEED, 'md');
    const section = md.slice(md.indexOf('## Gradient flow'), md.indexOf('## Summary'));
    expect(section).toContain('| 6 | amazing | $\\approx 0.1695$ |');
    expect(section).toContain('$\\lVert \\delta h_{1} \\rVert / \\lVert \\delta h_{6} \\rVert \\approx 0.0134$: the gradient that reaches $t = 1$ is $0.0134$ times the one at $t = 6$ — it shrinks on the way back.');
    expect(section).toContain('logarithmic scale');
    // numbered right in the contents, before the summary
    expect(md).toContain('4. [The batch: loss, gradients and the update](#the-batch)\n5. [Gradient flow](#gradient-flow)\n6. [Summary](#summary)');
  });
});

describe('the series are found by their ids', () => {
  it('matches suffixed state gradients (stacked and bidirectional networks) and nothing else', () => {
    for (const id of ['ex1.t3.dh', 'ex1.t3.dc', 'ex1.t3.dh_l1', 'ex1.t3.dh_reverse', 'ex12.t10.dc_l2_reverse']) expect(STATE_GRAD_ID.test(id), id).toBe(true);
    for (const id of ['ex1.t3.h', 'ex1.t3.dh_pre', 'ex1.t3.dhn', 'ex1.dW_hh', 'ex1.t3.dz', 'ex1.t3.dh_reverse_l1']) expect(STATE_GRAD_ID.test(id), id).toBe(false);
  });

  it('one series per example, state and suffix', () => {
    const trace = traceOf(SEED);
    const q = new Map(trace.quantities);
    for (const [id, v] of trace.quantities) {
      const m = /^(ex\d+\.t\d+\.dh)$/.exec(id);
      if (m) {
        q.set(`${id}_l1`, v);
        q.set(`${id}_reverse`, v);
      }
    }
    const flow = buildFlow({ ...trace, quantities: q });
    expect(flow.series.map((s) => `${s.example} ${s.state} ${s.layer} ${s.reverse} ${s.points.length}`)).toEqual([
      '1 h null false 6', '1 h null true 6', '1 h l1 false 6', '2 h null false 4', '2 h null true 4', '2 h l1 false 4',
    ]);
    // the reverse direction walks back from t = 1 to t = T
    expect(flow.series[1]!.reading).toMatchObject({ from: 1, to: 6 });
    const svg = renderSvg(plotData(flow.series));
    wellFormed(svg);
    // layers as the solution counts them (ids from 0: `_l1` is layer 2), directions by name
    expect(svg).toContain('>Example 1: ‖δh‖ (layer 1, forward)<');
    expect(svg).toContain('>Example 1: ‖δh‖ (layer 2, forward)<');
    expect(svg).toContain('>Example 2: ‖δh‖ (layer 1, reverse)<');
    expect(flow.series.map((s) => s.sym).slice(0, 3)).toEqual([
      '\\lVert \\delta {\\overrightarrow{h}^{(1)}_{t}} \\rVert',
      '\\lVert \\delta {\\overleftarrow{h}^{(1)}_{t}} \\rVert',
      '\\lVert \\delta {\\overrightarrow{h}^{(2)}_{t}} \\rVert',
    ]);
  });
});

describe('the LSTM: δh and δc', () => {
  const flow = buildFlow(traceOf(LSTM));
  it('has both states per example, and a linear scale when the norms span less than a factor of 100', () => {
    expect(flow.series.map((s) => s.state)).toEqual(['h', 'c']);
    expect(flow.log).toBe(false);
    const data = plotFromDataUrl(flow.plot)!;
    expect(data.scale).toBe('linear');
    const L = layout(data);
    expect(L.yTicks[0]).toMatchObject({ text: '0', y: L.y0 });
    expect(L.series.map((s) => s.dashed)).toEqual([false, true]);
  });
});

const series = (values: string[][]): FlowSeries[] => {
  const n = Numeric.at(PRECISION);
  return values.map((vs, i) => ({
    example: i + 1, state: 'h', layer: null, reverse: false, sym: '', label: '', reading: null, zeroStart: false,
    points: vs.map((v, k) => ({ t: k + 1, id: `ex${i + 1}.t${k + 1}.dh`, norm: n.exact(v) })),
  }));
};

describe('the chart', () => {
  it('is linear from 0 up to a factor of 100, logarithmic beyond', () => {
    expect(plotData(series([['0.01', '0.5', '1']])).scale).toBe('linear');
    expect(plotData(series([['0.01', '1']])).scale).toBe('linear');
    expect(plotData(series([['0.0099', '1']])).scale).toBe('log');
    // across series too, and zeros do not count
    expect(plotData(series([['0', '1e-30'], ['1e-20', '0']])).scale).toBe('log');
    expect(plotData(series([['0', '0']])).scale).toBe('linear');
  });

  it('draws a zero on the lower edge of a log scale, and 1e-400 without underflow', () => {
    const data = plotData(series([['0', '1e-400', '1e-390', '2e-395']]));
    expect(data.scale).toBe('log');
    const L = layout(data);
    const ys = L.series[0]!.points.map((p) => p.y);
    expect(ys[0]).toBe(L.y0);
    expect(ys[1]).toBe(L.y0);
    expect(ys[2]).toBe(L.y1);
    expect(ys[3]! > L.y0 && ys[3]! < L.y1).toBe(true);
    expect(L.yTicks.map((t) => t.exp)).toEqual([-400, -398, -396, -394, -392, -390]);
    wellFormed(renderSvg(data));
  });

  it('all zeros: a linear scale, every point on the axis', () => {
    const L = layout(plotData(series([['0', '0', '0']])));
    expect(L.series[0]!.points.every((p) => p.y === L.y0)).toBe(true);
  });

  it('one timestep: one point, in the middle', () => {
    const L = layout(plotData(series([['0.5']])));
    expect(L.series[0]!.points).toHaveLength(1);
    expect(L.series[0]!.points[0]!.x).toBe((L.x0 + L.x1) / 2);
  });

  it('is well-formed SVG with one polyline and one marker per point for each series, ticks t = 1..T and a legend', () => {
    const { svg, url } = plotOf(text(SEED, 'md'));
    wellFormed(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const groups = [...svg.matchAll(/<g>([\s\S]*?)<\/g>/g)].map((m) => m[1]!);
    expect(groups).toHaveLength(2);
    expect(groups.map((g) => (g.match(/<polyline /g) ?? []).length)).toEqual([1, 1]);
    expect(groups.map((g) => (g.match(/<(circle|rect) /g) ?? []).length)).toEqual([6, 4]);
    expect(groups.map((g) => /points="([^"]*)"/.exec(g)![1]!.split(' ').length)).toEqual([6, 4]);
    for (let t = 1; t <= 6; t++) expect(svg).toContain(`text-anchor="middle">${t}</text>`);
    expect(svg).toContain('>Example 1: ‖δh‖</text>');
    expect(svg).toContain('>Example 2: ‖δh‖</text>');
    expect(svg).toContain('(log scale)');
    expect(svg).not.toMatch(/<script|\son\w+=/i);
    // the data URL carries the chart's data, which gives the same SVG again
    const data = plotFromDataUrl(url)!;
    expect(data.series.map((s) => s.points.length)).toEqual([6, 4]);
    expect(svgDataUrl(renderSvg(data))).toBe(url);
  });

  it('keeps tokens and titles out of the chart', () => {
    const md = text('fixtures/escaping-tokens.yaml', 'md');
    const { svg } = plotOf(md);
    wellFormed(svg);
    const data = plotFromDataUrl(plotOf(md).url)!;
    expect(Object.keys(data).sort()).toEqual(['T', 'kind', 'scale', 'series']);
  });

  it('refuses a data URL that is not a chart, or whose data has anything unexpected', () => {
    const good = plotFromDataUrl(buildFlow(traceOf(SEED)).plot)!;
    const url = (d: unknown) => svgDataUrl(`<svg xmlns="http://www.w3.org/2000/svg"><desc>${JSON.stringify(d).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</desc></svg>`);
    expect(plotFromDataUrl(url(good))).toEqual(good);
    expect(plotFromDataUrl('data:image/png;base64,AAAA')).toBeNull();
    expect(plotFromDataUrl(svgDataUrl('<svg/>'))).toBeNull();
    const bad: PlotData[] = [
      { ...good, scale: 'weird' as 'log' },
      { ...good, series: [{ ...good.series[0]!, layer: '}\\input{x}' }] },
      { ...good, series: [{ ...good.series[0]!, points: [{ t: 1, y: '1e-3}\\def' }] }] },
      { ...good, series: [{ ...good.series[0]!, state: 'x' as 'h' }] },
    ];
    for (const b of bad) expect(plotFromDataUrl(url(b))).toBeNull();
  });
});

describe('the chart in LaTeX', () => {
  const md = text(SEED, 'md');
  const latex = markdownToLatex(md).body;
  const picture = /\\begin\{picture\}[\s\S]*?\\end\{picture\}/.exec(latex)?.[0] ?? '';

  it('is a picture environment drawn from the data URL: one marker per point (and one per legend entry)', () => {
    expect(picture).not.toBe('');
    const markers = picture.match(/\\put\([^)]*\)\{(\\circle\*?\{|\\makebox\(0,0\)\{\\rule|\\framebox)/g) ?? [];
    expect(markers).toHaveLength(6 + 4 + 2);
    // straight segments: the control point at the start
    const segments = [...picture.matchAll(/\\qbezier\(([\d.]+),([\d.]+)\)\(([\d.]+),([\d.]+)\)\(/g)];
    expect(segments).toHaveLength(5 + 3 + 2);
    for (const s of segments) expect([s[1], s[2]]).toEqual([s[3], s[4]]);
    expect(picture).toContain('$10^{-3}$');
    expect(picture).not.toMatch(/tikz|pgf/i);
    expect(flowPicture(plotFromDataUrl(plotOf(md).url)!)).toContain(picture);
    // the chart only: no alt text next to it
    expect(latex).not.toContain('Gradient norms per timestep');
  });

  it('leaves any other image as its description', () => {
    expect(markdownToLatex('![a picture](data:image/png;base64,AAAA)\n').body.trim()).toBe('a picture');
    expect(markdownToLatex('![a drawing](data:image/svg+xml;base64,PHN2Zy8+)\n').body.trim()).toBe('a drawing');
  });
});

const PDFLATEX = findPdflatex();
const CI = process.env.CI === 'true';
if (!PDFLATEX && !CI) console.warn('test/render/flow.test.ts: pdflatex is not installed, so the LaTeX compile test of the chart is SKIPPED');
const withTex = PDFLATEX || CI ? describe : describe.skip;

withTex('the chart compiles with pdflatex', () => {
  const cases = [
    { name: 'seed (log scale)', tex: () => text(SEED, 'tex', 'brief') },
    { name: 'LSTM (linear, δc dotted)', tex: () => text(LSTM, 'tex', 'brief') },
    { name: 'seed, --arithmetic hand', tex: () => text(SEED, 'tex', 'brief', 'hand') },
  ];
  const logs = new Map<string, string | Error>();
  beforeAll(async () => {
    if (!PDFLATEX) return;
    await Promise.all(
      cases.map(async (c) => {
        try {
          const r = await compilePdf(c.tex(), 'flow');
          logs.set(c.name, r.pdf.subarray(0, 5).toString() === '%PDF-' ? r.log : new Error('no PDF'));
        } catch (e) {
          logs.set(c.name, e as Error);
        }
      }),
    );
  }, 120_000);
  it.each(cases.map((c) => c.name))('%s', (name) => {
    if (!PDFLATEX) throw new Error('pdflatex is not installed; CI must install texlive-latex-base and texlive-latex-recommended');
    const log = logs.get(name);
    if (log instanceof Error) throw log;
    expect(log).not.toMatch(/^! /m);
    expect(log!.match(/^(?:LaTeX|Package \w+) Warning:.*$/gm) ?? []).toEqual([]);
  });
});

describe('the chart in the HTML', () => {
  it('is an <img> with the data URL', () => {
    const html = text(SEED, 'html');
    const { url } = plotOf(text(SEED, 'md'));
    const imgs = [...html.matchAll(/<img\b[^>]*>/g)].map((m) => m[0]);
    expect(imgs).toEqual([`<img src="${url}" alt="Gradient norms per timestep">`]);
    expect(html).toContain(`img-src data:`);
  });
});

describe('every detail level and hand arithmetic', () => {
  it.each([
    ['full', undefined],
    ['standard', undefined],
    ['brief', undefined],
    ['full', 'hand'],
  ] as const)('--detail %s %s has the section', (detail, arithmetic) => {
    const md = text(SEED, 'md', detail, arithmetic);
    expect(md).toContain('\n## Gradient flow\n');
    expect(md).toContain('[Gradient flow](#gradient-flow)');
    plotOf(md);
  });
});
