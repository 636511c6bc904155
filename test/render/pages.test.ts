// Several Markdown documents as one file for printing (src/render/pages.ts), and printing
// HTML to PDF with Chromium (src/run/chromium.ts). The documents are worked solutions of
// small fixtures (the escaping one among them). The compile and print tests need pdflatex,
// Chromium and pdftotext (poppler-utils); without them they are skipped with a warning,
// except in CI (CI=true), where a missing tool fails.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { solveToText } from '../../src/run/solve.js';
import { findOnPath } from '../../src/run/executables.js';
import { compilePdf, findPdflatex } from '../../src/run/pdf.js';
import { CHROMIUM_MISSING, ChromiumError, findChromium, printPdf } from '../../src/run/chromium.js';
import { pagesToHtml, pagesToTex } from '../../src/render/pages.js';
import { markdownToHtml } from '../../src/render/html.js';
import { markdownToLatex } from '../../src/render/tex.js';
import { InputError } from '../../src/problem/errors.js';

const FIXTURES = ['fixtures/rnn-pytorch-small.yaml', 'fixtures/escaping-tokens.yaml', 'fixtures/lstm-textbook-small.yaml'];
/** the sheets' titles as a reader sees them (in the PDF's text) */
const TITLES = [
  'Vanilla RNN (PyTorch convention): two-step regression',
  'Escaping check: 100% <b>bold</b> $x & a_b {} \\ # ~ ^ | `tick`',
  'LSTM (textbook convention): one sentence, two timesteps',
];
const N = FIXTURES.length;
const sheets = FIXTURES.map((problem) => solveToText({ problem, format: 'md', out: null, decimals: 4, detail: 'brief', precision: 64 }).text);
const OPTS = { title: 'Handout <b>&</b> 100% $x', source: 'handout/spec_1.yaml', decimals: 4, templates: null };

const onPath = (name: string): string | null => findOnPath([name]);
const PDFLATEX = findPdflatex();
const CHROMIUM = findChromium();
const PDFTOTEXT = onPath('pdftotext');
const PDFINFO = onPath('pdfinfo');
const CI = process.env.CI === 'true';
for (const [tool, found, pkg] of [['pdflatex', PDFLATEX, 'texlive-latex-base texlive-latex-recommended'], ['Chromium', CHROMIUM, 'chromium'], ['pdftotext/pdfinfo', PDFTOTEXT && PDFINFO, 'poppler-utils']] as const) {
  if (!found && !CI) console.warn(`test/render/pages.test.ts: ${tool} is not installed, so the tests that need it are SKIPPED (Debian: apt-get install ${pkg})`);
}

/** in CI a missing tool fails these tests instead of skipping them */
function needs(tools: Record<string, unknown>, name: string, body: () => void): void {
  const missing = Object.entries(tools).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length && !CI) return void describe.skip(name, body);
  describe(name, () => {
    if (missing.length) {
      it('has its tools installed (CI=true: these tests must run)', () => {
        throw new Error(`${missing.join(', ')} not installed; CI must install texlive-latex-base, texlive-latex-recommended, chromium and poppler-utils`);
      });
      return;
    }
    body();
  });
}

/** The text of every page of a PDF (pdftotext page by page). */
function pageTexts(pdf: Buffer): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'unrolled-pages-test-'));
  const file = join(dir, 'p.pdf');
  writeFileSync(file, pdf);
  const info = execFileSync(PDFINFO!, [file], { encoding: 'utf8' });
  const count = Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
  return Array.from({ length: count }, (_, i) => execFileSync(PDFTOTEXT!, ['-enc', 'UTF-8', '-f', String(i + 1), '-l', String(i + 1), file, '-'], { encoding: 'utf8' }));
}

/** Each title is on a page of its own, in order, the first on page 1; returns their pages (from 1). */
function expectTitlePages(pages: string[]): number[] {
  expect(pages.length).toBeGreaterThanOrEqual(N);
  // pdftotext may break a long title over lines: compare with the whitespace squeezed
  const flat = pages.map((p) => p.replace(/\s+/g, ' '));
  const where = TITLES.map((t) => flat.map((p, i) => (p.includes(t) ? i + 1 : 0)).filter(Boolean));
  for (const [k, found] of where.entries()) expect(found.length, `"${TITLES[k]}" is on one page`).toBeGreaterThanOrEqual(1);
  const first = where.map((w) => w[0]!);
  expect(first[0]).toBe(1);
  for (let k = 1; k < N; k++) expect(first[k]!, `sheet ${k + 1} starts after sheet ${k}`).toBeGreaterThan(first[k - 1]!);
  // no page shows the titles of two sheets
  for (const p of flat) expect(TITLES.filter((t) => p.includes(t)).length).toBeLessThanOrEqual(1);
  return first;
}

describe('pagesToTex', () => {
  const tex = pagesToTex(sheets, OPTS);
  const body = tex.slice(tex.indexOf('\\begin{document}'));
  const titleLines = [...body.matchAll(/\{\\centering\\LARGE\\bfseries %\n(.*)%\n\\par\}/g)];

  it('is one complete document: one preamble, one \\begin{document}', () => {
    expect(tex.startsWith('\\documentclass')).toBe(true);
    expect(tex.match(/\\documentclass/g)).toHaveLength(1);
    expect(tex.match(/\\begin\{document\}/g)).toHaveLength(1);
    expect(tex.trimEnd().endsWith('\\end{document}')).toBe(true);
    expect(tex).toContain('\\unrolleddisplay');
    expect(tex).toContain('\\newcommand\\unrolleddisplay');
  });

  it('prints each sheet\'s title as the title of its page, with exactly N-1 \\clearpage, one between each two sheets', () => {
    expect(titleLines).toHaveLength(N);
    expect(titleLines[0]![1]).toBe('Vanilla RNN (PyTorch convention): two-step regression');
    const clears = [...body.matchAll(/\\clearpage/g)].map((m) => m.index);
    expect(clears).toHaveLength(N - 1);
    for (let k = 0; k < N - 1; k++) {
      expect(clears[k]!).toBeGreaterThan(titleLines[k]!.index);
      expect(clears[k]!).toBeLessThan(titleLines[k + 1]!.index);
    }
    // a bookmark per sheet, the sheets' sections under it
    expect(body.match(/\\pdfbookmark\[0\]/g)).toHaveLength(N);
  });

  it('keeps user text escaped: the escaping sheet\'s title and the file\'s title', () => {
    expect(titleLines[1]![1]).toBe('Escaping check: 100\\% \\textless{}b\\textgreater{}bold\\textless{}/b\\textgreater{} \\$x \\& a\\_b \\{\\} \\textbackslash{} \\# \\textasciitilde{} \\textasciicircum{} \\textbar{} \\textasciigrave{}tick\\textasciigrave{}');
    expect(tex).toContain('\\hypersetup{pdftitle={%\nHandout <b>\\&</b> 100\\% \\$x%\n}');
    // (the bookmarks are PDF strings, where < and > are plain characters)
    const text = body.replace(/\\pdfbookmark\[0\]\{%\n.*%\n\}/g, '');
    expect(text.match(/\\pdfbookmark/g)).toBeNull();
    expect(text).not.toContain('<b>');
    expect(text).not.toContain('\\char"60');
  });

  it('gives every section a label unique across the sheets, and every link a label of its own sheet', () => {
    const labels = [...tex.matchAll(/\\label\{([^}]+)\}/g)].map((m) => m[1]!);
    expect(labels.length).toBeGreaterThan(3 * N);
    expect(new Set(labels).size).toBe(labels.length);
    const parts = body.split('\\clearpage');
    for (const [k, part] of parts.entries()) {
      const own = [...part.matchAll(/\\label\{([^}]+)\}/g)].map((m) => m[1]!);
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((l) => l.startsWith(`sec:p${k + 1}-`))).toBe(true);
      const links = [...part.matchAll(/\\hyperref\[([^\]]+)\]/g)].map((m) => m[1]!);
      expect(links.length).toBeGreaterThan(0);
      expect(links.filter((l) => !own.includes(l))).toEqual([]);
    }
  });

  it('without a prefix, markdownToLatex writes the labels as before', () => {
    const plain = markdownToLatex(sheets[0]!).body;
    expect(plain).toContain('\\label{sec:the-network}');
    expect(plain).toContain('\\hyperref[sec:the-network]');
    expect(markdownToLatex(sheets[0]!, { labelPrefix: 'p7-' }).body).toBe(plain.replace(/sec:/g, 'sec:p7-'));
  });

  it('draws the header and footer of DIR/tex/ of --templates on every sheet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unrolled-templates-'));
    mkdirSync(join(dir, 'tex'));
    writeFileSync(join(dir, 'tex', 'header.hbs'), '\\noindent MATH 101, Homework 4\n');
    writeFileSync(join(dir, 'tex', 'footer.hbs'), '\\noindent End of sheet.\n');
    const t = pagesToTex(sheets, { ...OPTS, templates: dir });
    expect(t.match(/MATH 101, Homework 4/g)).toHaveLength(N);
    expect(t.match(/End of sheet\./g)).toHaveLength(N);
  });
});

describe('pagesToHtml', () => {
  const html = pagesToHtml(sheets, OPTS);
  const sections = html.split(/<section class="sheet"/).slice(1);

  it('is one page: a section per sheet, no script, the same Content-Security-Policy as the solution', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(sections).toHaveLength(N);
    expect(html.match(/<html\b/g)).toHaveLength(1);
    expect(html.match(/<h1\b/g)).toHaveLength(N);
    expect(html).not.toMatch(/<script\b/i);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/;
    expect(csp.exec(html)![1]).toBe(csp.exec(markdownToHtml(sheets[0]!, { decimals: 4 }))![1]);
    expect(csp.exec(html)![1]).toBe("default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:");
  });

  it('breaks the printed page after each sheet but the last, and nowhere else', () => {
    const print = [...html.matchAll(/@media print \{([\s\S]*?)\n\}/g)].map((m) => m[1]!).join('\n');
    expect(print).toMatch(/\.sheet \{ break-after: page; \}/);
    expect(print).toMatch(/\.sheet:last-child \{ break-after: auto; \}/);
    expect(html.match(/break-(?:after|before): page/g)).toHaveLength(1);
    expect(html).not.toContain('page-break-');
    expect(html).not.toContain('<nav class="toc"');
  });

  it('inlines KaTeX\'s stylesheet once for all the sheets, every font as data: and no font twice', () => {
    const sheet = readFileSync(createRequire(import.meta.url).resolve('katex/dist/katex.min.css'), 'utf8');
    expect(html.match(/\.katex\{/g)!.length).toBe(sheet.match(/\.katex\{/g)!.length);
    expect(html.match(/<style>/g)).toHaveLength(3);
    const faces = html.match(/@font-face\{[^}]*\}/g)!;
    expect(faces.some((f) => f.includes('font-family:KaTeX_Main;'))).toBe(true);
    expect(new Set(faces).size).toBe(faces.length);
    expect(html).not.toMatch(/url\((?!data:)/);
    expect(html).not.toMatch(/class="[^"]*\bkatex-error\b/);
    expect(html.match(/class="katex"/g)!.length).toBeGreaterThan(20);
  });

  it('gives every element an id unique across the sheets, and every link an id of its own sheet', () => {
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [k, section] of sections.entries()) {
      const heads = [...section.matchAll(/<h\d id="([^"]+)"/g)].map((m) => m[1]!);
      expect(heads.length).toBeGreaterThan(3);
      expect(heads.every((id) => id.startsWith(`p${k + 1}-`))).toBe(true);
      const links = [...section.matchAll(/href="#([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));
      expect(links.length).toBeGreaterThan(0);
      expect(links.filter((l) => !heads.includes(l))).toEqual([]);
    }
  });

  it('keeps user text escaped: the escaping sheet\'s title and the page\'s title', () => {
    expect(html).toContain('<title>Handout &lt;b&gt;&amp;&lt;/b&gt; 100% $x</title>');
    const h1 = /<h1 id="p2-[^"]*">(.*)<\/h1>/.exec(sections[1]!)?.[1];
    expect(h1).toBe('Escaping check: 100% &lt;b&gt;bold&lt;/b&gt; $x &amp; a_b {} \\ # ~ ^ | `tick`');
    expect(html.includes('<b>')).toBe(false);
  });

  it('fails like markdownToHtml when KaTeX cannot render a formula', () => {
    const bad = '# Bad\n\nSee $\\frac{1}{$ and\n\n$$\n\\undefinedmacro x\n$$\n';
    let expected = '';
    try {
      markdownToHtml(bad, { decimals: 4 });
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(expected).toMatch(/^KaTeX could not render/);
    expect(() => pagesToHtml([sheets[0]!, bad], OPTS)).toThrow(expected);
  });
});

describe('findChromium and printPdf without a working Chromium', () => {
  it('honours UNROLLED_CHROMIUM (a path or a name on PATH), else looks for chromium, chromium-browser, google-chrome on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unrolled-test-fakechrome-'));
    const fake = join(dir, 'google-chrome');
    writeFileSync(fake, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    expect(findChromium({ PATH: dir })).toBe(fake);
    expect(findChromium({ PATH: '' })).toBeNull();
    expect(findChromium({ PATH: '', UNROLLED_CHROMIUM: fake })).toBe(fake);
    expect(findChromium({ PATH: dir, UNROLLED_CHROMIUM: 'google-chrome' })).toBe(fake);
    expect(findChromium({ PATH: dir, UNROLLED_CHROMIUM: join(dir, 'nothing-here') })).toBeNull();
  });

  it('without Chromium: an input error on --format naming the Debian package', async () => {
    const e = await printPdf('<p>x</p>', { chromium: null }).catch((e: unknown) => e);
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toContain(CHROMIUM_MISSING);
    expect((e as Error).message).toMatch(/^--format/);
    expect(CHROMIUM_MISSING).toBe('Chromium is not installed (Debian: apt-get install chromium)');
  });

  it('runs Chromium headless on the page in a fresh directory with a profile of its own, and removes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unrolled-test-fakechrome-'));
    const fake = join(dir, 'chromium');
    // writes its arguments into the "PDF"
    writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do case "$a" in --print-to-pdf=*) out="${a#--print-to-pdf=}";; esac; done\nprintf \'%%PDF-fake\\n\' > "$out"\nfor a in "$@"; do printf \'%s\\n\' "$a" >> "$out"; done\n', { mode: 0o755 });
    const args = (await printPdf('<p>x</p>', { chromium: fake })).toString('utf8').split('\n').slice(1, -1);
    expect(args.slice(0, 4)).toEqual(['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']);
    expect(args).toContain('--no-pdf-header-footer');
    const profile = args.find((a) => a.startsWith('--user-data-dir='))!.slice('--user-data-dir='.length);
    const page = args[args.length - 1]!;
    expect(page).toMatch(/^file:\/\/\/.*\/page\.html$/);
    expect(args.find((a) => a.startsWith('--print-to-pdf='))).toBe(`--print-to-pdf=${join(profile, '..', 'page.pdf')}`);
    expect(existsSync(join(profile, '..'))).toBe(false);
  });

  it('when Chromium fails or hangs: a ChromiumError of one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unrolled-test-fakechrome-'));
    const failing = join(dir, 'chromium');
    writeFileSync(failing, '#!/bin/sh\necho "[1:2:3/4.5:ERROR:dbus/bus.cc:405] Failed to connect to the bus" >&2\necho "cannot open display" >&2\nexit 7\n', { mode: 0o755 });
    const e = await printPdf('<p>x</p>', { chromium: failing }).catch((e: unknown) => e);
    expect(e).toBeInstanceOf(ChromiumError);
    expect((e as Error).message).toBe(`${failing} failed to print the page to PDF (exit 7): cannot open display`);
    const hanging = join(dir, 'hang');
    writeFileSync(hanging, '#!/bin/sh\nwhile :; do :; done\n', { mode: 0o755 });
    const t = Date.now();
    const h = await printPdf('<p>x</p>', { chromium: hanging, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(h).toBeInstanceOf(ChromiumError);
    expect((h as Error).message).toMatch(/did not print the page to PDF within/);
    expect(Date.now() - t).toBeLessThan(5000);
  });
});

needs({ pdflatex: PDFLATEX, pdftotext: PDFTOTEXT, pdfinfo: PDFINFO }, 'the combined LaTeX in pdflatex', () => {
  let result: { pdf: Buffer; log: string };
  beforeAll(async () => {
    result = await compilePdf(pagesToTex(sheets, OPTS), 'handout-sheets');
  }, 120_000);

  it('compiles without errors or warnings', () => {
    expect(result.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(result.log).not.toMatch(/^! /m);
    expect(result.log.match(/^(?:LaTeX|Package \w+) Warning:.*$/gm) ?? []).toEqual([]);
  });

  it('starts every sheet on a new page, the escaping title as typed', () => {
    expectTitlePages(pageTexts(result.pdf));
  });
});

needs({ chromium: CHROMIUM, pdftotext: PDFTOTEXT, pdfinfo: PDFINFO }, 'the combined HTML printed by Chromium', () => {
  let pdf: Buffer;
  let ms = 0;
  beforeAll(async () => {
    const t = Date.now();
    pdf = await printPdf(pagesToHtml(sheets, OPTS));
    ms = Date.now() - t;
  }, 120_000);

  it('is a PDF, printed in reasonable time', () => {
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(ms).toBeLessThan(60_000);
  });

  it('starts every sheet on a new page (the second title not on page 1), the escaping title as typed', () => {
    const pages = pageTexts(pdf);
    const starts = expectTitlePages(pages);
    expect(starts[1]).toBeGreaterThan(1);
    expect(pages[0]!.replace(/\s+/g, ' ')).not.toContain(TITLES[1]);
  });
});
