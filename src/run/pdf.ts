// --pdf: compile the LaTeX solution with pdflatex in a temporary directory, then move the
// PDF next to the .tex. pdflatex runs in nonstop mode and halts on the first error; it runs
// again while the log asks for it (references, longtable widths), at most three times.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from './executables.js';
import { InputError } from '../problem/errors.js';

export const PDFLATEX_MISSING = 'pdflatex is not installed (Debian: apt-get install texlive-latex-base texlive-latex-recommended)';

/** The pdflatex on PATH, or null. */
export function findPdflatex(env: NodeJS.ProcessEnv = process.env): string | null {
  return findOnPath(process.platform === 'win32' ? ['pdflatex.exe', 'pdflatex.cmd', 'pdflatex'] : ['pdflatex'], env);
}

/** pdflatex or its log failed: the first LaTeX error, on one line. */
export class PdfError extends Error {
  override name = 'PdfError';
}

export interface PdfResult {
  pdf: Buffer;
  /** how many times pdflatex ran */
  runs: number;
  log: string;
}

/** The first error of a pdflatex log, one line: `! Undefined control sequence (line 12: \foo)`. */
export function firstLatexError(log: string): string | null {
  const lines = log.split('\n');
  const i = lines.findIndex((l) => l.startsWith('! '));
  if (i < 0) return null;
  let message = lines[i]!.slice(2).trim();
  // messages spread over several lines end at a blank line or at the l.<n> context line
  for (let k = i + 1; k < Math.min(lines.length, i + 4) && !/^(l\.\d+|\s*$|<|\?)/.test(lines[k]!) && !message.endsWith('.'); k++) message += ' ' + lines[k]!.trim();
  const at = lines.slice(i + 1, i + 20).find((l) => /^l\.\d+/.test(l));
  const where = at ? ` (line ${/^l\.(\d+)/.exec(at)![1]}${at.replace(/^l\.\d+\s*/, '').trim() ? `: ${at.replace(/^l\.\d+\s*/, '').trim().slice(-60)}` : ''})` : '';
  return message.replace(/\.$/, '') + where;
}

const RERUN = /Rerun to get|Label\(s\) may have changed|Table widths have changed|has changed\. Rerun|Rerun LaTeX/;

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string; error: NodeJS.ErrnoException | null }> {
  return new Promise((resolve) => {
    // node:child_process is loaded here, not with the module: `solve` without --pdf never needs it
    const child = process.getBuiltinModule('node:child_process').execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const err = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, output: String(stdout) + String(stderr), error: err && typeof err.code === 'string' ? err : null });
    });
    child.stdin?.end();
  });
}

/**
 * Compile a LaTeX document to PDF in a fresh temporary directory (removed afterwards).
 * `name` is the job name (the .tex file's base name, as in the log's messages).
 */
export async function compilePdf(tex: string, name: string, opts: { pdflatex?: string | null; timeoutMs?: number } = {}): Promise<PdfResult> {
  const pdflatex = opts.pdflatex === undefined ? findPdflatex() : opts.pdflatex;
  if (pdflatex === null) throw InputError.one('--pdf', null, PDFLATEX_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'unrolled-pdf-'));
  try {
    const job = name.replace(/[^A-Za-z0-9._-]/g, '_') || 'solution';
    writeFileSync(join(dir, `${job}.tex`), tex);
    const args = ['-interaction=nonstopmode', '-halt-on-error', '-no-file-line-error', '-no-shell-escape', `${job}.tex`];
    let log = '';
    let runs = 0;
    for (;;) {
      runs++;
      const { code, output, error } = await run(pdflatex, args, dir, opts.timeoutMs ?? 300_000);
      if (error) {
        if (error.code === 'ENOENT') throw InputError.one('--pdf', null, PDFLATEX_MISSING);
        throw new PdfError(`--pdf: could not run ${pdflatex}: ${error.message}`);
      }
      const logPath = join(dir, `${job}.log`);
      log = existsSync(logPath) ? readFileSync(logPath, 'latin1') : output;
      if (code !== 0 || !existsSync(join(dir, `${job}.pdf`))) {
        const first = firstLatexError(log) ?? (code === null ? 'pdflatex did not finish in time' : `pdflatex exited with code ${code}`);
        throw new PdfError(`--pdf: pdflatex failed on ${name}.tex: ${first}`);
      }
      if (runs >= 3 || !RERUN.test(log)) break;
    }
    return { pdf: readFileSync(join(dir, `${job}.pdf`)), runs, log };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

