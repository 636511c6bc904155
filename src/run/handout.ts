// The core of `unrolled handout`: read the spec and the roster, then make every student's
// variant (draw it, check it, solve and render it: src/handout/variant.ts) on this thread
// and on worker threads into a staging directory beside the output; the combined sheets
// and index.csv are added, and only when everything has succeeded are the files moved into
// place. Any error leaves nothing behind, and the error reported is the first student's,
// whatever order the threads finish in.
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { stringify as csvStringify } from 'csv-stringify/sync';
import { checkInt, InputError } from '../problem/errors.js';
import { readSpec, variantSeed } from '../handout/spec.js';
import { MAX_STUDENTS, readRoster } from '../handout/roster.js';
import { checkTask, documentAs, fileNames, runVariant, type HandoutFormat, type PdfEngine, type VariantResult, type VariantTask } from '../handout/variant.js';
import type { Detail } from '../render/view.js';
import type { WorkerData, WorkerReply } from './handout-worker.js';
import { newBoard, stopBoard, takeTask } from './board.js';
import type { IO } from '../main.js';
import { ensureDir } from './output.js';
import { LIMITS } from './solve.js';
import { findPdflatex, PDFLATEX_MISSING } from './pdf.js';
import { CHROMIUM_MISSING, findChromium } from './chromium.js';

export interface HandoutRequest {
  spec: string;
  /** a roster CSV, or null with `count` */
  students: string | null;
  count: number | null;
  /** null: a random seed, printed so the handouts can be made again */
  seed: string | null;
  out: string;
  format: HandoutFormat;
  pdfEngine: 'auto' | PdfEngine;
  decimals: number;
  precision: number;
  detail: Detail;
  templates: string | null;
  /** threads, this one included; null = one per core (defaultJobs) */
  jobs: number | null;
  /** draw a progress bar on stderr (the command sets it when stderr is a terminal) */
  progress: boolean;
}

interface Student {
  id: string;
  name: string | null;
}

export async function runHandout(req: HandoutRequest, io: IO): Promise<void> {
  checkInt('decimals', req.decimals, LIMITS.decimals);
  checkInt('precision', req.precision, LIMITS.precision);
  if ((req.students === null) === (req.count === null)) {
    throw InputError.one('--students', null, 'give either --students roster.csv (one sheet per student) or --count N (N numbered variants)');
  }
  if (req.count !== null) checkInt('count', req.count, [1, MAX_STUDENTS]);
  if (req.jobs !== null) checkInt('jobs', req.jobs, [1, 256]);
  if (req.seed !== null && !/^\S{1,100}$/.test(req.seed)) throw InputError.one('--seed', null, 'expected a seed without spaces (a number or a word), at most 100 characters');
  const engine = req.format === 'pdf' ? pdfEngine(req.pdfEngine) : null;

  const spec = readSpec(req.spec);
  const seed = req.seed ?? String(randomInt(1, 1_000_000));
  const roster: Student[] = req.students !== null ? readRoster(req.students).map((s) => ({ id: s.id, name: s.name })) : Array.from({ length: req.count! }, (_, i) => ({ id: String(i + 1), name: null }));
  const width = String(roster.length).length;

  // the tasks: each worker draws its variant from the spec, checks it and solves it
  const tasks: VariantTask[] = roster.map((s, index) => {
    const numbered = req.students === null;
    const label = numbered ? `variant ${s.id}` : `student ${s.id}`;
    const base = numbered ? s.id.padStart(width, '0') : s.id;
    const vseed = variantSeed(seed, s.id);
    const names = fileNames(base, req.format);
    return {
      index,
      id: s.id,
      name: s.name,
      label,
      heading: numbered ? `Variant ${s.id}` : s.name ? `${s.name} (${s.id})` : `Student ${s.id}`,
      base,
      specFile: req.spec,
      specText: spec.text,
      seed: vseed,
      header: [
        `${numbered ? 'Variant' : 'Problem of student'} ${s.id}${s.name ? ` (${s.name})` : ''}: made by unrolled handout from ${basename(req.spec)}`,
        `with --seed ${seed} (variant seed ${vseed}). A normal problem file: unrolled solve ${names.problem}`,
      ].join('\n'),
      format: req.format,
      pdfEngine: engine,
      decimals: req.decimals,
      precision: req.precision,
      detail: req.detail,
      templates: req.templates,
      keyOf: `${label}${s.name ? ` (${s.name})` : ''}`,
    };
  });

  // a bad variant, or one too big for this Node, is found before any is made: every variant
  // of a PDF handout (a PDF takes a second or two to make), else the first, which stands for
  // the others' sizes (each variant is checked again as it is made: checkTask)
  for (const t of req.format === 'pdf' ? tasks : tasks.slice(0, 1)) checkTask(t);

  // the staging directory sits beside the output, so that the files move in by rename
  const out = resolve(req.out);
  ensureDir(dirname(out));
  const stage = mkdtempSync(join(dirname(out), `.${basename(out)}.unrolled-`));
  // Ctrl-C (or a kill) while the handouts are made: remove the staging directory, then stop
  // as the signal would have (exit 128 + signal number)
  const interrupted = (signal: NodeJS.Signals) => {
    rmSync(stage, { recursive: true, force: true });
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const jobs = Math.min(req.jobs ?? defaultJobs(), tasks.length);
    const bar = req.progress ? progressBar(tasks.length) : null;
    let results: VariantResult[];
    try {
      results = await runAll(tasks, stage, jobs, () => bar?.increment());
    } finally {
      bar?.stop();
    }
    results.sort((a, b) => a.index - b.index);
    const sameAs = new Map<string, string>();
    for (const r of results) {
      if (r.note) io.stderr(r.note);
      const label = tasks[r.index]!.label;
      const first = sameAs.get(r.digest);
      if (first) io.stderr(`warning: ${label} got the same problem as ${first}; the spec's generators leave too few choices\n`);
      else sameAs.set(r.digest, label);
    }

    // the combined sheets, a page per student, and the index
    const title = (spec.doc.get('title') as string | undefined) ?? 'Exercise';
    const combined = `sheets.${req.format}`;
    writeFileSync(join(stage, combined), await documentAs(req.format, engine, results.map((r) => r.sheet), { title: String(title), source: basename(req.spec), decimals: req.decimals, templates: req.templates, name: 'sheets' }));
    const rows = results.map((r) => {
      const t = tasks[r.index]!;
      return { student: t.id, name: t.name ?? '', variant_seed: String(t.seed), problem: r.files.problem, sheet: r.files.sheet, solution: r.files.solution, key: r.files.key };
    });
    writeFileSync(join(stage, 'index.csv'), csvStringify(rows, { header: true, columns: ['student', 'name', 'variant_seed', 'problem', 'sheet', 'solution', 'key'] }));

    // into place
    ensureDir(out);
    for (const f of readdirSync(stage)) renameSync(join(stage, f), join(out, f));
    const unit = req.students === null ? 'variant' : 'student';
    io.stdout(`wrote ${results.length} handouts to ${req.out}/: for each ${unit}, its problem file, sheet, worked solution and answers key (${fileNames(tasks[0]!.base, req.format).sheet}, …); ${combined} (every sheet, a page each) and index.csv\n`);
    const lo = Math.min(...results.map((r) => r.asked));
    const hi = Math.max(...results.map((r) => r.asked));
    io.stdout(`seed ${seed}${req.seed === null ? ` (give --seed ${seed} to make the same handouts again)` : ''}; ${lo === hi ? `each sheet asks for ${lo}` : `the sheets ask for ${lo} to ${hi}`} quantities\n`);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    rmSync(stage, { recursive: true, force: true });
  }
}

function pdfEngine(choice: 'auto' | PdfEngine): PdfEngine {
  const tex = findPdflatex() !== null;
  const chromium = findChromium() !== null;
  if (choice === 'pdflatex' && !tex) throw InputError.one('--pdf-engine', null, PDFLATEX_MISSING);
  if (choice === 'chromium' && !chromium) throw InputError.one('--pdf-engine', null, CHROMIUM_MISSING);
  if (choice !== 'auto') return choice;
  if (tex) return 'pdflatex';
  if (chromium) return 'chromium';
  throw InputError.one('--format', null, `pdf needs pdflatex or Chromium, and neither is installed (Debian: apt-get install texlive-latex-base texlive-latex-recommended, or apt-get install chromium)`);
}

/**
 * One thread per core: this one and a worker thread for each other core. Every thread
 * compiles the code it runs for itself, so V8 is told to compile only what is really hot
 * (src/boot.ts): otherwise one thread's compiling alone kept a second core busy, and two
 * threads were no faster than one (`npm run bench`).
 */
export function defaultJobs(): number {
  return availableParallelism();
}

/** The worker script next to the bundle (dist/run/handout-worker.js); absent when running from source. */
function workerScript(): string | null {
  const path = fileURLToPath(new URL('./run/handout-worker.js', import.meta.url));
  return existsSync(path) ? path : null;
}

/**
 * Run every task on `jobs` threads: this one and `jobs` − 1 worker threads. Every thread
 * takes the next task in roster order from one shared counter (no round trip through this
 * thread, which works on tasks too). On an error no further task starts; the tasks already
 * running finish, and the error of the first student that failed is the one reported
 * (tasks are taken in roster order, so every earlier student's task has run by then).
 */
async function runAll(tasks: VariantTask[], stage: string, jobs: number, done: () => void): Promise<VariantResult[]> {
  const script = workerScript();
  const board = newBoard();
  const results: VariantResult[] = [];
  let failure: { index: number; error: Error } | null = null;
  const fail = (index: number, error: Error) => {
    stopBoard(board);
    if (!failure || index < failure.index) failure = { index, error };
  };
  // a thread that dies (not a task that fails) stops everything at once
  let died: (e: Error) => void = () => {};
  const crashed = new Promise<never>((_, reject) => {
    died = (e) => {
      stopBoard(board);
      reject(e);
    };
  });
  crashed.catch(() => {}); // awaited in the races below
  const workers = script === null ? [] : Array.from({ length: jobs - 1 }, () => new Worker(script, { workerData: { tasks, stage, board } satisfies WorkerData }));
  const finished = workers.map(
    (w) =>
      new Promise<void>((resolveWorker) => {
        let over = false;
        w.on('message', (m: WorkerReply) => {
          if (m.kind === 'result') {
            results.push(m.result);
            done();
          } else if (m.kind === 'failed') fail(m.index, m.problems ? new InputError(m.problems) : m.error);
          else {
            over = true;
            resolveWorker();
          }
        });
        w.on('error', died);
        w.on('exit', (code) => {
          if (!over) died(new Error(`a worker thread stopped before its tasks were done (exit code ${code})`));
        });
      }),
  );
  try {
    // this thread's share: back to the event loop between tasks, so that the workers'
    // results are taken in, the progress bar redraws and Ctrl-C is heard
    for (let i = takeTask(board, tasks.length); i !== null; i = takeTask(board, tasks.length)) {
      try {
        results.push(await runVariant(tasks[i]!, stage));
        done();
      } catch (e) {
        fail(i, e instanceof Error ? e : new Error(String(e)));
      }
      await Promise.race([new Promise((resolve) => setImmediate(resolve)), crashed]);
    }
    await Promise.race([Promise.all(finished), crashed]);
  } finally {
    for (const w of workers) void w.terminate();
  }
  if (failure) throw (failure as { error: Error }).error;
  return results;
}

function progressBar(total: number): { increment(): void; stop(): void } {
  const require = createRequire(import.meta.url);
  const cli = require('cli-progress') as typeof import('cli-progress');
  const bar = new cli.SingleBar({ format: 'handouts {bar} {value}/{total} {duration_formatted}', hideCursor: true, clearOnComplete: false, stream: process.stderr }, cli.Presets.shades_classic);
  bar.start(total, 0);
  return { increment: () => bar.increment(), stop: () => bar.stop() };
}
