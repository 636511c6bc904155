// Printing HTML to PDF with the Chromium installed on the system (never a downloaded one):
// `chromium --headless --print-to-pdf` on the page written to a fresh temporary directory,
// with a throw-away profile there too, so that several prints can run at once and nothing
// of the user's own browser profile is touched. The directory is removed afterwards.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../problem/errors.js';
import { findOnPath, isExecutable } from './executables.js';

export const CHROMIUM_MISSING = 'Chromium is not installed (Debian: apt-get install chromium)';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/**
 * The Chromium to print with, or null: UNROLLED_CHROMIUM when set (a path, or a name looked
 * up on PATH; null when it names nothing executable), else the first of chromium,
 * chromium-browser, google-chrome, google-chrome-stable on PATH.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env.UNROLLED_CHROMIUM?.trim();
  if (chosen) {
    if (isAbsolute(chosen) || chosen.includes('/')) return isExecutable(chosen) ? chosen : null;
    return findOnPath([chosen], env);
  }
  // in the order of NAMES, whichever PATH directory holds it
  for (const name of NAMES) {
    const path = findOnPath([name], env);
    if (path) return path;
  }
  return null;
}

/** Chromium failed to print: why, on one line. */
export class ChromiumError extends Error {
  override name = 'ChromiumError';
}

/** Chromium's stderr without the noise it always writes in a container (D-Bus, GPU, fontconfig). */
function lastComplaint(stderr: string): string | null {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/dbus|\bbus\.cc\b|object_proxy|gpu|viz_main|fontconfig|^\/usr\/bin\/chromium: \d+: \[|bytes written to file/i.test(l));
  const last = lines[lines.length - 1];
  return last ? last.replace(/^\[[\d:/.]+:(?:ERROR|FATAL|WARNING):[^\]]*\]\s*/, '').slice(0, 300) : null;
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  error: NodeJS.ErrnoException | null;
}

/** Run Chromium in a process group of its own, so that a timeout ends it and its helpers. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    // node:child_process is loaded here, not with the module: only a PDF through Chromium needs it
    const child = process.getBuiltinModule('node:child_process').spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: process.platform !== 'win32' });
    let stderr = '';
    let timedOut = false;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stderr, timedOut, error });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, timedOut, error: null });
    });
  });
}

/**
 * Print an HTML page to PDF with headless Chromium; returns the PDF's bytes. The page is
 * printed as the browser prints it (its print CSS and @page rules apply), without the
 * browser's header and footer. Throws InputError (`--format`: CHROMIUM_MISSING) when there
 * is no Chromium, ChromiumError when it fails or takes longer than `timeoutMs`.
 */
export async function printPdf(html: string, opts: { chromium?: string | null; timeoutMs?: number } = {}): Promise<Buffer> {
  const chromium = opts.chromium === undefined ? findChromium() : opts.chromium;
  if (chromium === null) throw InputError.one('--format', null, CHROMIUM_MISSING);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const dir = mkdtempSync(join(tmpdir(), 'unrolled-chromium-'));
  try {
    const input = join(dir, 'page.html');
    const output = join(dir, 'page.pdf');
    const profile = join(dir, 'profile');
    mkdirSync(profile);
    writeFileSync(input, html);
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-extensions',
      '--no-first-run',
      '--no-default-browser-check',
      `--user-data-dir=${profile}`,
      '--no-pdf-header-footer',
      `--print-to-pdf=${output}`,
      pathToFileURL(input).href,
    ];
    const r = await run(chromium, args, timeoutMs);
    if (r.error) {
      if (r.error.code === 'ENOENT') throw InputError.one('--format', null, CHROMIUM_MISSING);
      throw new ChromiumError(`could not run ${chromium}: ${r.error.message}`);
    }
    if (r.timedOut) throw new ChromiumError(`${chromium} did not print the page to PDF within ${Math.round(timeoutMs / 1000)} s`);
    const pdf = existsSync(output) ? readFileSync(output) : null;
    if (r.code !== 0 || pdf === null || pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
      const why = lastComplaint(r.stderr) ?? (r.code !== 0 ? `exit ${r.code ?? r.signal}` : 'it wrote no PDF');
      throw new ChromiumError(`${chromium} failed to print the page to PDF (${r.code !== 0 ? `exit ${r.code ?? r.signal}` : 'no PDF'}): ${why}`);
    }
    return pdf;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
