// How big a worked solution will be, from the problem's shape alone, before anything is
// computed: so that a problem too big for this Node is refused at once (exit 2, one line)
// rather than after minutes of work, in V8's "JavaScript heap out of memory" crash or with
// a text longer than a JavaScript string can hold.
//
// Every parameter entry takes part in one multiply-add per timestep (a cell's) or per output
// step (the head's), forward, and in the products BPTT writes for its gradient: the "work"
// below counts them; with the elementwise steps (a row of each weight matrix per timestep),
// the output steps and the examples, it gives the length of every format's text
// (src/run/size-rates.ts, fitted by test/bench/size-rates.ts; test/run/size.test.ts holds
// the estimates within 0.6 to 2 times the texts). The memory is the trace
// (per unit of work, growing with the digits carried) and the text while it is made: rates
// from the smallest heap (--max-old-space-size) each of a few problems ran in, Node 20:
//   LSTM H = D = 16, 4 × 32 timesteps: JSON 254 MB (at 120 digits 420, at 200 digits 555),
//   Markdown 365 MB (brief 214), LaTeX 547 MB; with 4 × 16 and 4 × 64 timesteps, JSON 143
//   and 444 MB; LSTM H = D = 8, 2 × 8 timesteps: HTML 420 MB (brief 87); the seed: 23 MB,
//   HTML 47 MB.
// (MiB of old space; V8's heap limit adds 48 MiB of young generation, which the base counts.)
// The estimates come out 0% to 24% above the heap limits those runs needed (LSTM H = D = 16,
// 4 × 32: Markdown 433 MB against 433, JSON 348 against 317, at 200 digits 784 against 632,
// LaTeX 636 against 624; H = D = 12, 2 × 24: Markdown 160 against 150, LaTeX 206 against
// 195, JSON at 200 digits 235 against 195): a solve the check lets through near the limit
// finishes, collecting garbage often. test/run/size.test.ts runs the built command with a
// heap of the estimate.
import { constants } from 'node:buffer';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { cells } from '../engine/cells/index.js';
import { networkParams } from '../engine/stacked.js';
import { InputError } from '../problem/errors.js';
import type { Problem } from '../problem/types.js';
import type { Format } from '../render/formats.js';
import type { Detail } from '../render/view.js';
import { CHARS } from './size-rates.js';

export interface Output {
  /** the format of the solution written; null: none (`check` writes a report of the answers only) */
  format: Format | null;
  detail: Detail;
  decimals: number;
  precision: number;
  /** solutions of the problem kept at once (`check` replays it with the answers): 1 by default */
  traces?: number;
}

export interface SizeEstimate {
  /** multiply-adds of the forward pass: each parameter entry once per timestep or output step */
  work: number;
  /** characters of the text */
  chars: number;
  /** bytes of JavaScript heap the solve and the render need at their peak */
  heap: number;
}

export interface Room {
  /** the JavaScript heap this process may use, bytes */
  heap: number;
  /** the longest string, characters */
  chars: number;
  /** the machine's memory, bytes */
  memory: number;
}

/** What this process has room for: V8's heap limit (--max-old-space-size raises it) and string length. */
export function room(): Room {
  return { heap: getHeapStatistics().heap_size_limit, chars: constants.MAX_STRING_LENGTH, memory: totalmem() };
}

/** What a solution's size grows with. */
export interface Shape {
  cell: Problem['cell'];
  /** multiply-adds of the forward pass: the cell's entries (and the input's) per timestep, the head's per output step */
  work: number;
  /** rows of the cell's weight matrices, per timestep: the elementwise steps (gates, activations, their gradients) */
  rows: number;
  /** output steps: each an output, a loss and their gradients */
  outputs: number;
  examples: number;
}

export function shapeOf(problem: Problem): Shape {
  const cell = cells[problem.cell][problem.convention];
  let perStep = problem.inputDim;
  let rowsPerStep = 0;
  let perOutput = 0;
  for (const p of networkParams(cell, problem.hidden, problem.inputDim, problem.outputDim, problem.layers, problem.bidirectional)) {
    const entries = p.shape.reduce((a, b) => a * b, 1);
    if (p.role === 'head') perOutput += entries;
    else {
      perStep += entries;
      if (p.shape.length === 2) rowsPerStep += p.shape[0];
    }
  }
  const steps = problem.examples.reduce((a, e) => a + e.inputs.length, 0);
  const outputs = problem.examples.reduce((a, e) => a + e.targets.length, 0);
  return { cell: problem.cell, work: steps * perStep + outputs * perOutput, rows: steps * rowsPerStep, outputs, examples: problem.examples.length };
}

/** What each of a Rates' numbers multiplies, in its order (src/run/size-rates.ts; test/bench/size-rates.ts fits to these). */
export function rateFeatures(shape: Shape): number[] {
  const CELLS: Shape['cell'][] = ['rnn', 'lstm', 'gru'];
  return [...CELLS.map((c) => (shape.cell === c ? shape.work : 0)), ...CELLS.map((c) => (shape.cell === c ? shape.rows : 0)), shape.outputs, shape.examples, 1];
}

/** heap bytes per character of text while it is made (HTML: KaTeX's markup, built in pieces) */
const HEAP_PER_CHAR: Record<Format, number> = { md: 4, tex: 2.8, html: 6.5, json: 2.6 };
/** heap bytes of the trace per unit of work (a row counts 4), at `precision` digits: every product and gradient share */
const traceBytes = (precision: number) => 150 + 7.5 * precision;
/**
 * the heap a render needs however small the problem (the code, KaTeX's fonts for HTML), and
 * V8's young generation, which the heap limit counts and a full heap cannot use (48 MiB)
 */
const HEAP_BASE: Record<Format, number> = { md: 80e6, tex: 80e6, html: 110e6, json: 80e6 };

/** The two points each format's rates are fitted at: decimals shown, or (JSON) digits of precision. */
export const RATE_POINTS: Record<Format, [number, number]> = { md: [4, 12], tex: [4, 12], html: [4, 12], json: [64, 200] };

/**
 * Characters of the text of a solution of this shape: CHARS's rates at 4 and 12 decimals (the
 * JSON: 64 and 200 digits of precision, which it writes), in between and beyond on the
 * straight line, and below 4 as at 4 (small numbers are then written in scientific
 * notation, which is longer).
 */
export function charsOf(shape: Shape, out: Output, rates: typeof CHARS = CHARS): number {
  if (out.format === null) return 0;
  const [low, high] = rates[out.format][out.detail];
  const [d0, d1] = RATE_POINTS[out.format];
  const digits = out.format === 'json' ? out.precision : Math.max(d0, out.decimals);
  const at = (k: number) => low[k]! + ((high[k]! - low[k]!) * (digits - d0)) / (d1 - d0);
  return Math.ceil(Math.max(0, rateFeatures(shape).reduce((sum, x, k) => (x === 0 ? sum : sum + at(k) * x), 0)));
}

export function estimateSize(problem: Problem, out: Output): SizeEstimate {
  const shape = shapeOf(problem);
  const chars = charsOf(shape, out);
  // truncated BPTT also solves the problem without truncation, for the comparison: two traces
  const traces = (out.traces ?? 1) * (problem.training.truncate === null ? 1 : 2);
  const made = out.format === null ? HEAP_BASE.json : HEAP_BASE[out.format] + chars * HEAP_PER_CHAR[out.format];
  const heap = Math.ceil(made + traces * (shape.work + 4 * shape.rows) * traceBytes(out.precision));
  return { work: shape.work, chars, heap };
}

const NAMES: Record<Format, string> = { md: 'Markdown', tex: 'LaTeX', html: 'HTML', json: 'JSON' };
const DETAILS: Detail[] = ['full', 'standard', 'brief'];

/** 1.2 GB, 340 MB: bytes (or characters) the way a user reads them. */
export function amount(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  return `${Math.max(1, Math.round(bytes / 1e6))} MB`;
}

/** Whether the solution fits: its text in a string, the whole in the heap. */
export function fitsIn(problem: Problem, out: Output, has: Room = room()): boolean {
  const e = estimateSize(problem, out);
  return (out.format === null || e.chars <= has.chars) && e.heap <= has.heap;
}

/**
 * Whether a solve at another precision fits beside the solutions `out` counts: what
 * src/engine/verified.ts asks before it checks a solution against one at a higher precision.
 */
export const fitsBeside =
  (problem: Problem, out: Output) =>
  (precision: number): boolean =>
    fitsIn(problem, { ...out, precision, traces: (out.traces ?? 1) + 1 });

/**
 * Refuse a problem whose solution in `out` would not fit in `room`: one line, saying how big
 * it would be, what there is room for, and what would fit (a briefer detail, or more heap).
 */
export function checkSize(file: string, problem: Problem, out: Output, has: Room = room()): void {
  const fits = (o: Output) => fitsIn(problem, o, has);
  // every command checks: what would fit is worked out only for a refusal
  if (fits(out)) return;
  const est = estimateSize(problem, out);
  const written = out.format !== null && out.format !== 'json';
  const briefer = written ? DETAILS.slice(DETAILS.indexOf(out.detail) + 1).find((d) => fits({ ...out, detail: d })) : undefined;
  const alternatives = [
    ...(briefer ? [`--detail ${briefer}`] : []),
    ...(!briefer && written && out.format !== 'md' && fits({ ...out, format: 'md' }) ? ['--format md'] : []),
    'fewer or shorter examples',
    'a smaller hidden_size',
  ];
  if (out.format !== null && est.chars > has.chars) {
    throw InputError.one(
      file,
      null,
      `the ${NAMES[out.format]} solution would be about ${amount(est.chars)} of text (${est.work.toLocaleString('en-US')} multiply-adds forward, each written out with its gradient), more than one JavaScript string can hold (${amount(has.chars)}); expected ${orList(alternatives)}`,
    );
  }
  if (est.heap > has.heap) {
    // more heap for Node, if the machine has it (--max-old-space-size is in MiB, and the
    // young generation comes on top of it)
    const mb = Math.ceil((est.heap * 1.25) / 2 ** 20 / 100) * 100;
    const more = mb * 2 ** 20 < has.memory ? `, or give Node more memory: NODE_OPTIONS=--max-old-space-size=${mb}` : ` (this machine has ${amount(has.memory)} of memory)`;
    throw InputError.one(
      file,
      null,
      `${out.format === null ? 'solving it' : 'solving and writing it'} would take about ${amount(est.heap)} of memory (${est.work.toLocaleString('en-US')} multiply-adds forward, every product kept for BPTT${out.format === null ? '' : ', and the text'}), more than this Node may use (${amount(has.heap)}); expected ${orList(alternatives)}${more}`,
    );
  }
}

const orList = (xs: string[]) => (xs.length === 1 ? xs[0]! : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]!}`);

/**
 * Render with `render`; a text that outgrows a JavaScript string all the same (the estimate
 * is close, not exact, and templates of one's own may write more) is refused as the check
 * refuses it, not reported as an internal error.
 */
export function renderWithin<T>(file: string, format: Format, render: () => T): T {
  try {
    return render();
  } catch (e) {
    if (e instanceof RangeError && /Invalid string length/.test(e.message)) {
      throw InputError.one(
        file,
        null,
        `the ${NAMES[format]} solution is longer than one JavaScript string can hold (${amount(constants.MAX_STRING_LENGTH)}); expected a briefer --detail, fewer or shorter examples or a smaller hidden_size`,
      );
    }
    throw e;
  }
}
