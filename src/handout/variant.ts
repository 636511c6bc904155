// One student's part of a handout, start to finish: solve the variant, find the asked
// quantities, render the sheet and the worked solution, write the answers key; every file
// goes into the staging directory. Runs in a worker thread (src/run/handout-worker.ts) or,
// for one job, in the main thread.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Numeric } from '../numeric/index.js';
import { parseSource } from '../problem/source.js';
import { validate } from '../problem/validate.js';
import { solve } from '../engine/solve.js';
import { renderers } from '../render/formats.js';
import { renderSheet } from '../render/sheet.js';
import { pagesToHtml, pagesToTex } from '../render/pages.js';
import type { Detail } from '../render/view.js';
import { compilePdf } from '../run/pdf.js';
import { printPdf } from '../run/chromium.js';
import { answersKey, answersTemplate, askedQuantities, questionViews } from './questions.js';
import type { Question } from './spec.js';

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
  problemText: string;
  specFile: string;
  questions: Question[];
  format: HandoutFormat;
  pdfEngine: PdfEngine | null;
  decimals: number;
  precision: number;
  detail: Detail;
  templates: string | null;
  /** the staging directory every file is written into */
  stage: string;
  keyHeader: string;
}

export interface VariantResult {
  index: number;
  /** file names, in the staging directory */
  files: { problem: string; sheet: string; solution: string; key: string };
  /** the sheet as Markdown, for the combined file */
  sheet: string;
  /** how many quantities the questions ask for */
  asked: number;
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

export async function runVariant(task: VariantTask): Promise<VariantResult> {
  const names = fileNames(task.base, task.format);
  const n = Numeric.at(task.precision);
  const problem = validate(parseSource(task.problemText, names.problem), names.problem, n);
  const trace = solve(problem, { precision: task.precision });
  const asked = askedQuantities(task.questions, trace, task.specFile, task.label);
  const sheet = renderSheet(trace, {
    decimals: task.decimals,
    templates: task.templates,
    student: { id: task.id, name: task.name, heading: task.heading },
    questions: questionViews(asked, trace),
    answers: answersTemplate(asked),
  });
  const title = trace.title ?? 'Exercise';
  const docOpts = { title, source: names.problem, decimals: task.decimals, templates: task.templates };
  let solution: string | Buffer;
  if (task.format === 'pdf') {
    const fmt = task.pdfEngine === 'pdflatex' ? 'tex' : 'html';
    const text = renderers[fmt](trace, { num: n, decimals: task.decimals, detail: task.detail, templates: task.templates });
    solution = fmt === 'tex' ? (await compilePdf(text, `${task.base}-solution`)).pdf : await printPdf(text);
  } else {
    solution = renderers[task.format](trace, { num: n, decimals: task.decimals, detail: task.detail, templates: task.templates });
  }
  const sheetFile = await documentAs(task.format, task.pdfEngine, [sheet], { ...docOpts, name: `${task.base}-sheet` });
  writeFileSync(join(task.stage, names.problem), task.problemText);
  writeFileSync(join(task.stage, names.sheet), sheetFile);
  writeFileSync(join(task.stage, names.solution), solution);
  writeFileSync(join(task.stage, names.key), answersKey(asked, n, task.decimals, task.keyHeader));
  return { index: task.index, files: names, sheet, asked: asked.length };
}
