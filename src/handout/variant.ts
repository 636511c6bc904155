// One student's part of a handout, start to finish: draw the variant from the spec and
// check it, solve it, find the asked quantities, render the sheet and the worked solution,
// write the answers key; every file goes into the staging directory. Runs in a worker
// thread (src/run/handout-worker.ts) or, for one job, in the main thread.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Numeric } from '../numeric/index.js';
import { InputError, type InputProblem } from '../problem/errors.js';
import { parseSource } from '../problem/source.js';
import { validate } from '../problem/validate.js';
import type { Problem } from '../problem/types.js';
import { precisionNote, solveVerified } from '../engine/verified.js';
import { renderers, type Format } from '../render/formats.js';
import { renderSheet } from '../render/sheet.js';
import { pagesToHtml, pagesToTex } from '../render/pages.js';
import type { Detail } from '../render/view.js';
import { compilePdf } from '../run/pdf.js';
import { printPdf } from '../run/chromium.js';
import { checkSize, fitsBeside, renderWithin } from '../run/size.js';
import { answersKey, answersTemplate, askedQuantities, questionViews } from './questions.js';
import { makeVariant, parseSpec, specPosition, type Spec, type Variant } from './spec.js';

export type HandoutFormat = 'md' | 'tex' | 'html' | 'pdf';
export type PdfEngine = 'pdflatex' | 'chromium';

export interface VariantTask {
  index: number;
  /** student id, or the variant number with --count */
  id: string;
  name: string | null;
  /** how messages name the student: `student s001` or `variant 3` */
  label: string;
  /** how the sheet names the student: `Anna Smith (s001)`, `Student s001` or `Variant 3` */
  heading: string;
  /** the start of every file name: the id, or the zero-padded variant number */
  base: string;
  /** the spec, as the main thread read it */
  specFile: string;
  specText: string;
  /** the seed of every draw of this variant, and the comment its problem file starts with */
  seed: number;
  header: string;
  format: HandoutFormat;
  pdfEngine: PdfEngine | null;
  decimals: number;
  precision: number;
  detail: Detail;
  templates: string | null;
  /** whose answers key: `variant 3`, `student s001 (Anna Smith)` */
  keyOf: string;
}

export interface VariantResult {
  index: number;
  /** file names, in the staging directory */
  files: { problem: string; sheet: string; solution: string; key: string };
  /** the sheet as Markdown, for the combined file */
  sheet: string;
  /** how many quantities the questions ask for */
  asked: number;
  /** SHA-256 of the problem without its comments: two students with the same digest got the same problem */
  digest: string;
  /** when --precision was not enough for every value shown (src/engine/verified.ts) */
  note: string | null;
}

export const fileNames = (base: string, format: HandoutFormat) => ({
  problem: `${base}-problem.yaml`,
  sheet: `${base}-sheet.${format}`,
  solution: `${base}-solution.${format}`,
  key: `${base}-key.yaml`,
});

/** A Markdown document as the file of a format (PDF through pdflatex or Chromium). */
export async function documentAs(format: HandoutFormat, engine: PdfEngine | null, markdowns: string[], opts: { title: string; source: string; decimals: number; templates: string | null; name: string }): Promise<string | Buffer> {
  if (format === 'md') return markdowns.join('\n\n---\n\n');
  if (format === 'tex' || (format === 'pdf' && engine === 'pdflatex')) {
    const tex = pagesToTex(markdowns, opts);
    return format === 'tex' ? tex : (await compilePdf(tex, opts.name)).pdf;
  }
  const html = pagesToHtml(markdowns, opts);
  return format === 'html' ? html : printPdf(html);
}

/** the spec of the tasks this thread runs, parsed once */
let specCache: Spec | null = null;

/**
 * A task's variant, drawn from the spec and validated (InputErrors at their place in the
 * spec), and held to what fits in this Node (src/run/size.ts): the variants may pick other
 * examples, so each is.
 */
export function checkTask(task: VariantTask): { spec: Spec; variant: Variant; problem: Problem } {
  if (specCache?.file !== task.specFile || specCache.text !== task.specText) specCache = parseSpec(task.specText, task.specFile);
  const spec = specCache;
  const variant = makeVariant(spec, task.seed, task.header);
  const problem = checkVariant(spec, variant.text, fileNames(task.base, task.format).problem, Numeric.at(task.precision), task.label);
  checkSize(task.specFile, problem, solutionSize(task));
  return { spec, variant, problem };
}

/** What the size check weighs: the solution of a task, in its format. */
const solutionSize = (task: VariantTask) => ({ format: solutionFormat(task.format, task.pdfEngine), detail: task.detail, decimals: task.decimals, precision: task.precision });

/** The format a solution is rendered in: a PDF is made from the LaTeX (pdflatex) or the HTML (Chromium). */
function solutionFormat(format: HandoutFormat, engine: PdfEngine | null): Format {
  return format === 'pdf' ? (engine === 'pdflatex' ? 'tex' : 'html') : format;
}

/** Make a task's handout, every file written into the staging directory `stage`. */
export async function runVariant(task: VariantTask, stage: string): Promise<VariantResult> {
  const names = fileNames(task.base, task.format);
  const { spec, variant, problem } = checkTask(task);
  const format = solutionFormat(task.format, task.pdfEngine);
  const problemAt = (precision: number) => (precision === task.precision ? problem : checkVariant(spec, variant.text, names.problem, Numeric.at(precision), task.label));
  const verified = solveVerified(problemAt, { precision: task.precision, decimals: task.decimals, fits: fitsBeside(problem, solutionSize(task)) });
  const { trace } = verified;
  const n = Numeric.at(verified.precision);
  const asked = askedQuantities(spec.questions, trace, task.specFile, task.label);
  const sheet = renderSheet(trace, {
    decimals: task.decimals,
    templates: task.templates,
    student: { id: task.id, name: task.name, heading: task.heading },
    questions: questionViews(asked, trace),
    answers: answersTemplate(asked),
  });
  const title = trace.title ?? 'Exercise';
  const docOpts = { title, source: names.problem, decimals: task.decimals, templates: task.templates };
  const text = renderWithin(task.specFile, format, () => renderers[format](trace, { num: n, decimals: task.decimals, detail: task.detail, templates: task.templates }));
  const solution = task.format !== 'pdf' ? text : format === 'tex' ? (await compilePdf(text, `${task.base}-solution`)).pdf : await printPdf(text);
  const sheetFile = await documentAs(task.format, task.pdfEngine, [sheet], { ...docOpts, name: `${task.base}-sheet` });
  writeFileSync(join(stage, names.problem), variant.text);
  writeFileSync(join(stage, names.sheet), sheetFile);
  writeFileSync(join(stage, names.solution), solution);
  const keyHeader = [
    `Answers key of ${task.keyOf}, at ${verified.precision} significant digits.`,
    `Check a student's answers: unrolled check ${names.problem} ANSWERS.yaml`,
  ].join('\n');
  writeFileSync(join(stage, names.key), answersKey(asked, n, task.decimals, keyHeader));
  const digest = createHash('sha256').update(variant.text.replace(/^#.*\n/gm, '')).digest('hex');
  return { index: task.index, files: names, sheet, asked: asked.length, digest, note: precisionNote(verified, task.precision, task.label) };
}

/** A variant's problem, validated; its problems are reported at their place in the spec. */
function checkVariant(spec: Spec, text: string, file: string, n: Numeric, label: string): Problem {
  try {
    return validate(parseSource(text, file), file, n);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const problems: InputProblem[] = e.problems.map((p) => ({ file: spec.file, field: p.field, pos: specPosition(spec, p.field), message: `${p.message} (in the problem of ${label})` }));
    throw new InputError(problems);
  }
}
