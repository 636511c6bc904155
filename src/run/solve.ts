// The core of `unrolled solve`: load, solve, render, write. It never sees yargs.
import { basename, extname, join } from 'node:path';
import { Numeric } from '../numeric/index.js';
import { loadProblem } from '../problem/validate.js';
import { checkInt, InputError } from '../problem/errors.js';
import { precisionNote, solveVerified } from '../engine/verified.js';
import { LossDomainError } from '../engine/ops/loss.js';
import { renderers, type Format } from '../render/formats.js';
import type { Detail } from '../render/view.js';
import type { IO } from '../main.js';
import { ensureDir, writeAtomic } from './output.js';
import { compilePdf, findPdflatex, PDFLATEX_MISSING } from './pdf.js';
import { checkSize, fitsBeside, renderWithin } from './size.js';

export interface SolveRequest {
  problem: string;
  format: Format;
  /** directory, `-` for stdout, null for the format's default */
  out: string | null;
  decimals: number;
  detail: Detail;
  precision: number;
  /** with format tex: also compile the PDF with pdflatex */
  pdf?: boolean;
  /** hand: round every named quantity to `decimals` before it is used further */
  arithmetic?: 'exact' | 'hand';
  /** a directory of templates overriding the built-in ones by name */
  templates?: string | null;
}

export const LIMITS = { decimals: [0, 30], precision: [20, 1000] } as const;

/**
 * Solve and render; returns the text, the file name it would be written to, and a note for
 * stderr when --precision was not enough for every value shown (src/engine/verified.ts).
 */
export function solveToText(req: SolveRequest): { text: string; name: string; note: string | null } {
  checkInt('decimals', req.decimals, LIMITS.decimals);
  checkInt('precision', req.precision, LIMITS.precision);
  if (req.precision < req.decimals + 10) {
    throw InputError.one('--precision', null, `${req.precision} digits cannot support ${req.decimals} displayed decimals; use at least ${req.decimals + 10}`);
  }
  const n = Numeric.at(req.precision);
  const problem = loadProblem(req.problem, n);
  const out = { format: req.format, detail: req.detail, decimals: req.decimals, precision: req.precision };
  checkSize(req.problem, problem, out);
  let verified;
  try {
    const problemAt = (precision: number) => (precision === req.precision ? problem : loadProblem(req.problem, Numeric.at(precision)));
    verified = solveVerified(problemAt, { precision: req.precision, decimals: req.decimals, hand: req.arithmetic === 'hand' ? req.decimals : null, fits: fitsBeside(problem, out) });
  } catch (e) {
    if (e instanceof LossDomainError) throw InputError.one(req.problem, 'head.loss', e.message);
    throw e;
  }
  const { trace } = verified;
  const num = Numeric.at(verified.precision);
  const text = renderWithin(req.problem, req.format, () => renderers[req.format](trace, { num, decimals: req.decimals, detail: req.detail, templates: req.templates ?? null }));
  const name = basename(req.problem, extname(req.problem)) + '.' + req.format;
  return { text, name, note: precisionNote(verified, req.precision) };
}

export async function runSolve(req: SolveRequest, io: IO): Promise<void> {
  const out = req.out ?? (req.format === 'json' ? '-' : 'out');
  if (req.pdf) checkPdfRequest(req.format, out);
  const { text, name, note } = solveToText(req);
  if (note) io.stderr(note);
  if (out === '-') {
    io.stdout(text);
    return;
  }
  // --pdf: compiled before anything is written, so that a failure leaves no file behind
  const pdf = req.pdf ? (await compilePdf(text, basename(name, extname(name)))).pdf : null;
  ensureDir(out);
  const path = join(out, name);
  writeAtomic(path, text);
  io.stdout(`wrote ${path}\n`);
  if (pdf) {
    const pdfPath = join(out, basename(name, extname(name)) + '.pdf');
    writeAtomic(pdfPath, pdf);
    io.stdout(`wrote ${pdfPath}\n`);
  }
}

/** --pdf needs --format tex, a directory to write to, and pdflatex. */
function checkPdfRequest(format: Format, out: string): void {
  if (format !== 'tex') throw InputError.one('--pdf', null, `only with --format tex (the PDF is compiled from the LaTeX solution), not with --format ${format}`);
  if (out === '-') throw InputError.one('--pdf', null, 'writes a file, so it cannot be used with --out - (give a directory)');
  if (findPdflatex() === null) throw InputError.one('--pdf', null, PDFLATEX_MISSING);
}
