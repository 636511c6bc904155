// --format tex and --pdf. The compile tests need pdflatex (Debian: texlive-latex-base,
// texlive-latex-recommended); without it they are skipped with a warning, except in CI
// (CI=true), where a missing pdflatex fails. pdftotext (poppler-utils) is optional: the
// check that the PDF shows every token as typed is skipped without it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { solveToText } from '../../src/run/solve.js';
import { findOnPath } from '../../src/run/executables.js';
import { compilePdf, findPdflatex, firstLatexError } from '../../src/run/pdf.js';
import { balancedGroups, breakAtRelations, latexText, mathPieces, pdfText, texMath } from '../../src/render/tex.js';
import { main, type IO } from '../../src/main.js';
import type { Detail } from '../../src/render/view.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const SEED = 'fixtures/seed-rnn-sentiment.yaml';
const ESCAPING = 'fixtures/escaping-tokens.yaml';
const tex = (problem: string, detail: Detail = 'full', extra: { templates?: string; arithmetic?: 'hand' } = {}) =>
  solveToText({ problem, format: 'tex', out: null, decimals: 4, detail, precision: 64, ...extra }).text;

/** Compare with a golden file; UPDATE_GOLDEN=1 rewrites it (then review the diff). */
function golden(name: string, text: string) {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

const onPath = (name: string): string | null => findOnPath([name]);

const PDFLATEX = findPdflatex();
const PDFTOTEXT = onPath('pdftotext');
const CI = process.env.CI === 'true';
if (!PDFLATEX && !CI) {
  console.warn('test/render/tex.test.ts: pdflatex is not installed, so the LaTeX compile tests are SKIPPED (Debian: apt-get install texlive-latex-base texlive-latex-recommended)');
}
if (PDFLATEX && !PDFTOTEXT) {
  console.warn('test/render/tex.test.ts: pdftotext is not installed, so the check of the text in the PDF is SKIPPED (Debian: apt-get install poppler-utils)');
}
/** in CI a missing pdflatex fails these tests instead of skipping them */
const withTex = PDFLATEX || CI ? describe : describe.skip;

/** Every problem file in fixtures/ (answer files have no `model:`). */
const problems = readdirSync('fixtures')
  .filter((f) => f.endsWith('.yaml') && /^model:/m.test(readFileSync(join('fixtures', f), 'utf8')))
  .map((f) => join('fixtures', f));

const quiet = (): IO & { out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) };
};

describe('LaTeX text escaping', () => {
  it('prints every special character as typed', () => {
    expect(latexText('100% <b> $x a_b {} \\ & # ~^ |`* "q"')).toBe(
      '100\\% \\textless{}b\\textgreater{} \\$x a\\_b \\{\\} \\textbackslash{} \\& \\# \\textasciitilde{}\\textasciicircum{} \\textbar{}\\textasciigrave{}* \\textquotedbl{}q\\textquotedbl{}',
    );
  });
  it('keeps -- and \'\' from becoming dashes and quotes, and writes typographic ones by name', () => {
    expect(latexText("a--b ''c'' ,,d")).toBe("a-{}-b '{}'c'{}' ,{},d");
    expect(latexText('“i” — loss')).toBe('\\textquotedblleft{}i\\textquotedblright{} \\textemdash{} loss');
  });
  it('writes Greek and math symbols as math, Latin letters as they are, other scripts by code point', () => {
    expect(latexText('σ ≈ θ é ñ ß')).toBe('\\ensuremath{\\sigma} \\ensuremath{\\approx} \\ensuremath{\\theta} é ñ ß');
    expect(latexText('日本')).toBe('\\unrolledunknown{65E5}\\unrolledunknown{672C}');
  });
  it('in math: a backtick by name, ligatures broken inside \\text, non-ASCII characters as commands', () => {
    expect(texMath('e(\\text{|\\char"60{}*})')).toBe('e(\\text{\\textbar{}\\textasciigrave{}*})');
    expect(texMath('\\text{<b>} \\text{a--b}')).toBe('\\text{\\textless{}b\\textgreater{}} \\text{a-{}-b}');
    expect(texMath('\\text{日}')).toBe('\\text{\\text{\\unrolledunknown{65E5}}}');
  });
  it('PDF strings: TeX specials escaped, Unicode as it is', () => {
    expect(pdfText('100% a_b σ “x”')).toBe('100\\% a\\_b σ “x”');
  });
});

describe('breaking wide formulas', () => {
  it('finds the top-level relations and binary operators, never inside groups or parentheses', () => {
    const kinds = mathPieces('z_{t-1} = -a + b \\times (1 - c) \\approx \\begin{bmatrix} 1 \\\\ -2 \\end{bmatrix}').map((p) => p.kind);
    expect(kinds).toEqual(['other', 'rel', 'other', 'bin', 'other', 'rel', 'other']);
  });
  it('breaks a chain of relations into aligned rows, one relation per row', () => {
    expect(breakAtRelations('x = A B = C \\approx D')).toBe('\\begin{aligned}\nx &= A B \\\\\n&= C \\\\\n&\\approx D\n\\end{aligned}');
    expect(breakAtRelations('x = y')).toBeNull();
  });
  it('in an aligned block, breaks the rows with several relations and keeps the others', () => {
    const src = '\\begin{aligned}\na &= 1 + 2 = 3 \\\\\nb &= 4 && \\text{(note = here)} \\\\\n&\\qquad + 5\n\\end{aligned}';
    expect(breakAtRelations(src)).toBe('\\begin{aligned}\na &= 1 + 2 \\\\\n&= 3 \\\\\nb &= 4 && \\text{(note = here)} \\\\\n&\\qquad + 5\n\\end{aligned}');
  });
  it('puts equations written side by side on rows of their own', () => {
    expect(breakAtRelations('s = W h + b, \\qquad y = \\sigma(s) = \\frac{1}{2}')).toBe('\\begin{aligned}\ns &= W h + b, \\\\\ny &= \\sigma(s) \\\\\n&= \\frac{1}{2}\n\\end{aligned}');
  });
  it('splits table columns into as few, as even groups as fit', () => {
    expect(balancedGroups([100, 100, 100, 40, 40, 40], 320)).toEqual([[0, 1], [2, 3, 4, 5]]);
    expect(balancedGroups([100, 100, 100, 100, 100, 100], 320)).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(balancedGroups([100, 100], 320)).toEqual([[0, 1]]);
    expect(balancedGroups([500, 10], 320)).toEqual([[0], [1]]);
  });
});

describe('--format tex', () => {
  const seed = tex(SEED);

  it('matches the golden file for the seed', () => golden('seed-rnn-sentiment.tex', seed));

  it('is a complete article with amsmath and booktabs, using only packages of texlive-latex-base/-recommended', () => {
    expect(seed.startsWith('\\documentclass')).toBe(true);
    expect(seed).toContain('\\usepackage{amsmath}');
    expect(seed).toContain('\\begin{document}');
    expect(seed.trimEnd().endsWith('\\end{document}')).toBe(true);
    const packages = [...seed.matchAll(/\\usepackage(?:\[[^\]]*\])?\{([^}]+)\}/g)].flatMap((m) => m[1]!.split(','));
    expect(packages.filter((p) => !['fontenc', 'lmodern', 'textcomp', 'amsmath', 'amssymb', 'geometry', 'graphicx', 'array', 'booktabs', 'longtable', 'parskip', 'hyperref'].includes(p))).toEqual([]);
  });

  it('has a section per example and pass, a subsection per timestep, labels the contents link to', () => {
    expect(seed).toContain('\\section{Example 1: forward pass}\\label{sec:example-1-forward-pass}');
    expect(seed).toContain('\\subsection{Example 2, backward at t = 4: \\textquotedblleft{}book\\textquotedblright{}}');
    expect(seed).toContain('\\hyperref[sec:example-1-forward-pass]{forward pass}');
    const labels = new Set([...seed.matchAll(/\\label\{([^}]+)\}/g)].map((m) => m[1]));
    const links = [...seed.matchAll(/\\hyperref\[([^\]]+)\]/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((l) => !labels.has(l))).toEqual([]);
  });

  it('writes the summary tables with booktabs, and the math as it is in the Markdown', () => {
    expect(seed).toContain('\\toprule');
    expect(seed).toContain('\\midrule');
    expect(seed).toContain('(W_{xh} x_{1})_{1} &= 0.2 \\times 0.1 + 0.4 \\times 0.2 + 0.1 \\times 0.3 = 0.13');
    expect(seed).toContain('$\\mathcal{L}$ & \\texttt{loss} & 1.5120 \\\\');
  });

  it('escapes every token of the escaping fixture, in text, math, code and tables', () => {
    const t = tex(ESCAPING).split('\\begin{document}')[1]!;
    expect(t).toContain('\\subsection{Example 1, t = 1: \\textquotedblleft{}100\\%\\textquotedblright{}}');
    expect(t).toContain('\\subsection{Example 2, t = 5: \\textquotedblleft{}\\textbar{}\\textasciigrave{}*\\textquotedblright{}}');
    expect(t).toContain('e(\\text{\\textbar{}\\textasciigrave{}*})');
    expect(t).toContain('\\texttt{ex2.\\allowbreak{}demb.\\allowbreak{}\\textbar{}\\textasciigrave{}*}');
    expect(t).toContain('\\textasciitilde{}\\textasciicircum{} & ');
    expect(t).not.toContain('\\char"60');
    expect(t).not.toContain('<b>');
  });

  it('uses DIR/tex/ of --templates for the document and DIR/md/ for the solution', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unrolled-templates-'));
    mkdirSync(join(dir, 'tex'));
    mkdirSync(join(dir, 'md'));
    writeFileSync(join(dir, 'tex', 'header.hbs'), '\\noindent MATH 101, Homework 4\n');
    writeFileSync(join(dir, 'md', 'footer.hbs'), '\n*Graded by the course team.*\n');
    const t = tex(SEED, 'full', { templates: dir });
    expect(t).toContain('\\begin{document}\n\\noindent MATH 101, Homework 4\n');
    expect(t).toContain('\\emph{Graded by the course team.}\n');
  });
});

describe('--pdf on the command line', () => {
  it('without --format tex: exit 2, one line, nothing written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'unrolled-out-'));
    const io = quiet();
    expect(await main(['solve', SEED, '--pdf', '--out', out], io)).toBe(2);
    expect(io.err.join('').trim().split('\n')).toEqual(['--pdf: only with --format tex (the PDF is compiled from the LaTeX solution), not with --format md']);
    expect(readdirSync(out)).toEqual([]);
  });

  it('with --out -: exit 2, one line', async () => {
    const io = quiet();
    expect(await main(['solve', SEED, '--format', 'tex', '--pdf', '--out', '-'], io)).toBe(2);
    expect(io.err.join('').trim().split('\n')).toEqual(['--pdf: writes a file, so it cannot be used with --out - (give a directory)']);
    expect(io.out).toEqual([]);
  });

  it('without pdflatex: exit 2, one line naming the Debian packages, nothing written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'unrolled-out-')), 'sub');
    const io = quiet();
    const path = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), 'unrolled-empty-path-'));
    try {
      expect(await main(['solve', SEED, '--format', 'tex', '--pdf', '--out', out], io)).toBe(2);
    } finally {
      process.env.PATH = path;
    }
    expect(io.err.join('').trim().split('\n')).toEqual(['--pdf: pdflatex is not installed (Debian: apt-get install texlive-latex-base texlive-latex-recommended)']);
    expect(existsSync(out)).toBe(false);
  });

  it('reads the first LaTeX error of a log as one line', () => {
    const log = 'This is pdfTeX\n! Undefined control sequence.\nl.82 \\undefinedfoo\n                  \n? \n';
    expect(firstLatexError(log)).toBe('Undefined control sequence (line 82: \\undefinedfoo)');
    expect(firstLatexError('all good\n')).toBeNull();
  });
});

const WIDE = 'a GRU with H = 6 and D = 5 (wide and tall formulas)';

/** A problem whose formulas are too wide to shrink (rows of 11 products) and too tall for a page (18-row vectors). */
function wideProblem(): string {
  const H = 6;
  const D = 5;
  const m = (a: number, b: number, seed: number) => Array.from({ length: a }, (_, i) => Array.from({ length: b }, (_, j) => (((i * 7 + j * 3 + seed) % 11) - 5) / 10));
  const v = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (((i * 5 + seed) % 9) - 4) / 10);
  const problem = {
    title: 'Wide GRU',
    model: { cell: 'gru', hidden_size: H, convention: 'pytorch' },
    embeddings: { alpha: v(D, 1), beta: v(D, 2) },
    params: { weight_ih: m(3 * H, D, 1), weight_hh: m(3 * H, H, 2), bias_ih: v(3 * H, 3), bias_hh: v(3 * H, 4), W_hy: m(3, H, 5), b_y: v(3, 6) },
    head: { activation: 'softmax', loss: 'cross_entropy', output_at: 'every' },
    data: [{ text: 'alpha beta', target: [0, 2] }],
    training: { learning_rate: 0.1 },
  };
  const path = join(mkdtempSync(join(tmpdir(), 'unrolled-wide-')), 'wide-gru.json');
  writeFileSync(path, JSON.stringify(problem));
  return path;
}

withTex('pdflatex', () => {
  if (!PDFLATEX) {
    it('is installed (CI=true: the LaTeX compile tests must run)', () => {
      throw new Error('pdflatex is not installed; CI must install texlive-latex-base and texlive-latex-recommended (see .ci/run)');
    });
    return;
  }

  const cases: { name: string; problem: string; detail: Detail; arithmetic?: 'hand' }[] = [
    ...problems.map((problem) => ({ name: problem, problem, detail: 'full' as Detail })),
    { name: `${SEED} --detail standard`, problem: SEED, detail: 'standard' },
    { name: `${SEED} --detail brief`, problem: SEED, detail: 'brief' },
    { name: `${SEED} --arithmetic hand`, problem: SEED, detail: 'full', arithmetic: 'hand' },
    { name: WIDE, problem: wideProblem(), detail: 'full' },
  ];
  const results = new Map<string, { pdf: Buffer; log: string } | Error>();

  beforeAll(async () => {
    // all at once: pdflatex runs as separate processes
    await Promise.all(
      cases.map(async (c) => {
        try {
          const r = await compilePdf(tex(c.problem, c.detail, c.arithmetic ? { arithmetic: c.arithmetic } : {}), 'solution');
          results.set(c.name, r);
        } catch (e) {
          results.set(c.name, e as Error);
        }
      }),
    );
  }, 120_000);

  const result = (name: string) => {
    const r = results.get(name);
    if (r instanceof Error) throw r;
    return r!;
  };

  describe.each(cases.map((c) => c.name))('%s', (name) => {
    it('compiles without errors or warnings, to a PDF', () => {
      const { pdf, log } = result(name);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(log).not.toMatch(/^! /m);
      expect(log.match(/^(?:LaTeX|Package \w+) Warning:.*$/gm) ?? []).toEqual([]);
    });

    it('has no line wider than the page: no overfull box, no formula shrunk below 80%', () => {
      const { log } = result(name);
      const overfull = [...log.matchAll(/Overfull \\hbox \(([\d.]+)pt too wide\)/g)].map((m) => Number(m[1]));
      expect(overfull.filter((w) => w > 1)).toEqual([]);
      expect(log).not.toContain('Overfull \\vbox');
      const shrunk = [...log.matchAll(/unrolled: display on input line \d+ shrunk to (\d+) percent/g)].map((m) => Number(m[1]));
      expect(shrunk.filter((p) => p < 80)).toEqual([]);
    });
  });

  it('the wide problem: formulas flow over several lines, tall ones break across pages', () => {
    const { log } = result(WIDE);
    expect(log).toMatch(/unrolled: display on input line \d+ set as flowing lines/);
    expect(log).toMatch(/unrolled: display on input line \d+ set as align\* \(tall\)/);
    expect(log).toMatch(/unrolled: display on input line \d+ broken at its relations/);
  });

  (PDFTOTEXT ? it : it.skip)('shows every token of the escaping fixture as typed in the PDF', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unrolled-pdftotext-'));
    writeFileSync(join(dir, 'e.pdf'), result(ESCAPING).pdf);
    const text = execFileSync(PDFTOTEXT!, ['-enc', 'UTF-8', join(dir, 'e.pdf'), '-'], { encoding: 'utf8' });
    for (const token of ['100%', '<b>', '$x', 'a_b', '{}', '\\', '&', '#', '~^', '|`*']) expect(text).toContain(`: “${token}”`);
    expect(text).toContain('Escaping check: 100% <b>bold</b> $x & a_b {} \\ #');
    expect(text).toContain('ex2.demb.|`*');
  });

  it('--pdf writes the .tex and the .pdf and nothing else', async () => {
    const out = mkdtempSync(join(tmpdir(), 'unrolled-out-'));
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('unrolled-pdf-'));
    const io = quiet();
    expect(await main(['solve', SEED, '--format', 'tex', '--pdf', '--out', out], io)).toBe(0);
    expect(io.err).toEqual([]);
    expect(readdirSync(out).sort()).toEqual(['seed-rnn-sentiment.pdf', 'seed-rnn-sentiment.tex']);
    expect(readFileSync(join(out, 'seed-rnn-sentiment.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(io.out.join('')).toBe(`wrote ${join(out, 'seed-rnn-sentiment.tex')}\nwrote ${join(out, 'seed-rnn-sentiment.pdf')}\n`);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('unrolled-pdf-'))).toEqual(before);
  }, 60_000);

  it('--pdf when pdflatex fails: exit 3, one line with the first LaTeX error, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unrolled-templates-'));
    mkdirSync(join(dir, 'tex'));
    writeFileSync(join(dir, 'tex', 'header.hbs'), '\\undefinedcommand\n');
    const out = join(mkdtempSync(join(tmpdir(), 'unrolled-out-')), 'sub');
    const io = quiet();
    expect(await main(['solve', SEED, '--format', 'tex', '--pdf', '--out', out, '--templates', dir], io)).toBe(3);
    const lines = io.err.join('').trim().split('\n');
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/^unrolled: internal error: --pdf: pdflatex failed on seed-rnn-sentiment\.tex: Undefined control sequence \(line \d+: \\undefinedcommand\)$/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
