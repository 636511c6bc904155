// `unrolled handout` end to end: per-student problem files, sheets, worked solutions and
// answers keys; deterministic per (seed, student), distinct across students, every key
// accepted by `unrolled check`, a combined file a page per student, nothing left behind on
// bad input. The built binary runs the variants on worker threads and writes the same bytes.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { cli, type Run } from '../helpers/cli.js';
import { findPdflatex } from '../../src/run/pdf.js';
import { findChromium } from '../../src/run/chromium.js';
import { findOnPath } from '../../src/run/executables.js';

const SPEC = 'fixtures/handout/rnn-spec.yaml';
const CI = process.env.CI === 'true';


let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'unrolled-handout-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const files = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));
const roster = (name: string, rows: string[]) => {
  const f = join(tmp, name);
  writeFileSync(f, ['id,name', ...rows].join('\n') + '\n');
  return f;
};
/** the fixture spec with an activation drawn from [sigmoid, sigmod, sigmoid]: some variants are invalid (with --seed 2, the first is variant 6) */
const someBadSpec = (name: string) => {
  const f = join(tmp, name);
  writeFileSync(f, readFileSync(SPEC, 'utf8').replace('activation: sigmoid', 'activation: {choice: [sigmoid, sigmod, sigmoid]}'));
  return f;
};
const THIRTY = Array.from({ length: 30 }, (_, i) => `s${String(i + 1).padStart(3, '0')},"Student ${i + 1}, Jr."`);

/** no output directory, and no staging directory left beside it */
const nothingIn = (dir: string) => {
  expect(existsSync(dir)).toBe(false);
  expect(readdirSync(tmp).filter((f) => f.includes('.unrolled-'))).toEqual([]);
};

describe('unrolled handout --students', () => {
  let out: string;
  let run: Run;
  beforeAll(async () => {
    out = join(tmp, 'class');
    run = await cli('handout', SPEC, '--students', roster('class.csv', THIRTY), '--seed', '2026', '--out', out, '--jobs', '1');
  }, 120_000);

  it('writes four files per student, the combined sheets and the index', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote 30 handouts to ${out}/: for each student, its problem file, sheet, worked solution and answers key (s001-sheet.md, …); sheets.md (every sheet, a page each) and index.csv\n`);
    expect(run.stdout).toMatch(/\nseed 2026; the sheets ask for 1\d to 2\d quantities\n$/);
    const names = readdirSync(out).sort();
    expect(names).toHaveLength(30 * 4 + 2);
    for (const kind of ['problem.yaml', 'sheet.md', 'solution.md', 'key.yaml']) expect(names).toContain(`s017-${kind}`);
    expect(names).toContain('sheets.md');
    expect(names).toContain('index.csv');
    expect(readdirSync(tmp).filter((f) => f.includes('.unrolled-'))).toEqual([]); // no staging left
  });

  it('gives the 30 students 30 different problems', () => {
    const problems = THIRTY.map((_, i) => readFileSync(join(out, `s${String(i + 1).padStart(3, '0')}-problem.yaml`), 'utf8').replace(/^#.*\n/gm, ''));
    expect(new Set(problems).size).toBe(30);
    const params = problems.map((p) => /params:[\s\S]*?head:/.exec(p)![0]);
    expect(new Set(params).size).toBe(30);
  });

  it('lists every student in index.csv with the variant seed and the files, names quoted', () => {
    const text = readFileSync(join(out, 'index.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe('student,name,variant_seed,problem,sheet,solution,key');
    expect(text.split('\n')[1]).toMatch(/^s001,"Student 1, Jr.",\d+,s001-problem\.yaml,s001-sheet\.md,s001-solution\.md,s001-key\.yaml$/);
    const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(30);
    expect(rows[16]!.student).toBe('s017');
    expect(readFileSync(join(out, 's017-problem.yaml'), 'utf8')).toContain(`variant seed ${rows[16]!.variant_seed}`);
  });

  it('has every answers key accepted by unrolled check against its own problem', async () => {
    for (let i = 1; i <= 30; i++) {
      const s = `s${String(i).padStart(3, '0')}`;
      const r = await cli('check', join(out, `${s}-problem.yaml`), join(out, `${s}-key.yaml`), '--format', 'json');
      expect(r.code, `${s}: ${r.stderr}`).toBe(0);
      const report = JSON.parse(r.stdout) as { score: number; max: number; entries: { verdict: string }[] };
      expect(report.max).toBeGreaterThan(20);
      expect(report.score).toBe(report.max);
    }
  }, 120_000);

  it('puts the setup and the questions on the sheet, and no answer', () => {
    const sheet = readFileSync(join(out, 's005-sheet.md'), 'utf8');
    const key = readFileSync(join(out, 's005-key.yaml'), 'utf8');
    expect(sheet).toMatch(/^# Vanilla RNN sentiment: forward pass and BPTT\n\n\*\*Student 5, Jr\\\. \\\(s005\\\)\*\*/);
    expect(sheet).toContain('## The network');
    expect(sheet).toContain('## Questions');
    expect(sheet).toContain('1. $h_{1}$: example 1, timestep 1 (2 entries), `ex1.t1.h`');
    expect(sheet).toMatch(/\$z_\{1\}\$: example 1, timestep 1 \(2 entries\), `ex1\.t1\.z`/);
    expect(sheet).toContain('$\\mathcal{L}$: the loss of the batch (a number), `loss`');
    expect(sheet).toContain('ex1.t1.h: [~, ~]\n');
    expect(sheet).toContain('grad.W_xh: [[~, ~, ~], [~, ~, ~]]\n');
    // the key's values appear nowhere on the sheet (at 4 decimals)
    const h1 = /ex1\.t1\.h: \["(-?\d\.\d{4})/.exec(key)![1]!;
    expect(sheet).not.toContain(h1.replace(/^-/, ''));
    expect(sheet).not.toContain('Backpropagation');
  });

  it('writes a worked solution per student, the same as unrolled solve of the problem file', async () => {
    const dir = join(tmp, 'solve-s009');
    const r = await cli('solve', join(out, 's009-problem.yaml'), '--out', dir);
    expect(r.code).toBe(0);
    // the same text, but for the path of the problem file it names
    expect(readFileSync(join(out, 's009-solution.md'), 'utf8')).toBe(readFileSync(join(dir, 's009-problem.md'), 'utf8').replace(`\`${join(out, 's009-problem.yaml')}\``, '`s009-problem.yaml`'));
  });

  it('combines the sheets, one after another, in roster order', () => {
    const all = readFileSync(join(out, 'sheets.md'), 'utf8');
    const one = readFileSync(join(out, 's001-sheet.md'), 'utf8');
    expect(all.startsWith(one)).toBe(true);
    expect(all.split('\n---\n')).toHaveLength(30);
    expect(all.indexOf('(s002\\)')).toBeGreaterThan(0);
    expect(all.indexOf('(s002\\)')).toBeLessThan(all.indexOf('(s003\\)'));
  });

  it('gives a student the same numbers whatever the roster order, and the same bytes on a second run', async () => {
    const again = join(tmp, 'again');
    const reversed = join(tmp, 'reversed');
    expect((await cli('handout', SPEC, '--students', roster('class2.csv', THIRTY), '--seed', '2026', '--out', again, '--jobs', '1')).code).toBe(0);
    expect(files(again)).toEqual(files(out));
    expect((await cli('handout', SPEC, '--students', roster('rev.csv', [...THIRTY].reverse().slice(0, 5)), '--seed', '2026', '--out', reversed, '--jobs', '1')).code).toBe(0);
    for (const s of ['s026', 's030']) {
      for (const kind of ['problem.yaml', 'sheet.md', 'solution.md', 'key.yaml']) {
        expect(readFileSync(join(reversed, `${s}-${kind}`), 'utf8')).toBe(readFileSync(join(out, `${s}-${kind}`), 'utf8'));
      }
    }
    const other = join(tmp, 'other-seed');
    expect((await cli('handout', SPEC, '--students', roster('c3.csv', THIRTY.slice(0, 1)), '--seed', '2027', '--out', other)).code).toBe(0);
    expect(readFileSync(join(other, 's001-problem.yaml'), 'utf8')).not.toBe(readFileSync(join(out, 's001-problem.yaml'), 'utf8'));
  }, 120_000);
});

describe('bad input leaves nothing behind', () => {
  it('a bad roster line: exit 2, one line with the line number', async () => {
    const out = join(tmp, 'bad-roster');
    const r = await cli('handout', SPEC, '--students', roster('bad.csv', ['s1,Ann', 's/2,Bob', 's3,Cy']), '--seed', '1', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.csv:3:.*id/);
    nothingIn(out);
  });

  it('a question that matches nothing: exit 2 at its place in the spec', async () => {
    const spec = join(tmp, 'q.yaml');
    writeFileSync(spec, readFileSync(SPEC, 'utf8').replace('  - ex1.t1.z', '  - ex1.t9.z'));
    const out = join(tmp, 'bad-question');
    const r = await cli('handout', spec, '--count', '3', '--seed', '1', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${spec}:36:5: questions\\[2\\]: "ex1\\.t9\\.z" matches no quantity of variant \\d's problem \\(near: ex1\\.t\\d\\.z`));
    nothingIn(out);
  });

  it('a spec whose variant is not a valid problem: exit 2 at the place in the spec', async () => {
    const spec = join(tmp, 'h.yaml');
    writeFileSync(spec, readFileSync(SPEC, 'utf8').replace('activation: sigmoid', 'activation: sigmod'));
    const out = join(tmp, 'bad-spec');
    const r = await cli('handout', spec, '--count', '2', '--seed', '1', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${spec}:16:15: head.activation: unknown value "sigmod" (did you mean "sigmoid"?); expected one of sigmoid, softmax, identity (in the problem of variant 1)\n`);
    nothingIn(out);
  });

  it('a size the random shapes need: exit 2 at the size', async () => {
    const spec = join(tmp, 'h0.yaml');
    writeFileSync(spec, readFileSync(SPEC, 'utf8').replace('hidden_size: 2', 'hidden_size: 0'));
    const r = await cli('handout', spec, '--count', '2', '--seed', '1', '--out', join(tmp, 'bad-size'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${spec}:6:16: model.hidden_size: expected a whole number from 1 to 64 (the shapes of the random numbers follow from it)\n`);
  });

  it('neither --students nor --count, or both', async () => {
    const r = await cli('handout', SPEC, '--out', join(tmp, 'none'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('--students: give either --students roster.csv (one sheet per student) or --count N (N numbered variants)\n');
    const both = await cli('handout', SPEC, '--count', '2', '--students', 'x.csv');
    expect(both.code).toBe(2);
  });
});

const PDFLATEX = findPdflatex();
const CHROMIUM = findChromium();
if (!PDFLATEX && !CI) console.warn('test/handout/handout.test.ts: pdflatex is not installed, so the PDF handout test is SKIPPED (Debian: apt-get install texlive-latex-base texlive-latex-recommended)');
if (!CHROMIUM && !CI) console.warn('test/handout/handout.test.ts: Chromium is not installed, so the Chromium PDF handout test is SKIPPED (Debian: apt-get install chromium)');
const onPath = (name: string) => findOnPath([name]) !== null;
const pages = (pdf: string) => (onPath('pdfinfo') ? Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]) : null);
const pdfText = (pdf: string, page: number) => execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-layout', pdf, '-'], { encoding: 'utf8' });

describe.skipIf(!PDFLATEX && !CI)('--format pdf through pdflatex', () => {
  it('builds every PDF and the combined sheets, a page (or more) per variant', async () => {
    const out = join(tmp, 'pdf');
    const r = await cli('handout', SPEC, '--count', '2', '--seed', '5', '--out', out, '--format', 'pdf', '--pdf-engine', 'pdflatex', '--jobs', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of ['1-sheet.pdf', '1-solution.pdf', '2-sheet.pdf', '2-solution.pdf', 'sheets.pdf']) expect(readFileSync(join(out, f)).subarray(0, 5).toString()).toBe('%PDF-');
    const n = pages(join(out, 'sheets.pdf'));
    if (n !== null) {
      const one = pages(join(out, '1-sheet.pdf'))!;
      expect(n).toBe(one + pages(join(out, '2-sheet.pdf'))!);
      expect(pdfText(join(out, 'sheets.pdf'), 1)).toContain('Variant 1');
      expect(pdfText(join(out, 'sheets.pdf'), one + 1)).toContain('Variant 2');
    }
  }, 120_000);

  it('finds a bad variant before making any PDF', async () => {
    const spec = someBadSpec('some-bad-pdf.yaml');
    const md = await cli('handout', spec, '--count', '12', '--seed', '2', '--out', join(tmp, 'some-bad-md'), '--jobs', '1');
    const out = join(tmp, 'some-bad-pdf');
    const started = Date.now();
    const pdf = await cli('handout', spec, '--count', '12', '--seed', '2', '--out', out, '--format', 'pdf', '--pdf-engine', 'pdflatex', '--jobs', '1');
    expect(pdf.code).toBe(2);
    expect(pdf.stderr).toBe(md.stderr);
    expect(pdf.stderr).toMatch(/\(in the problem of variant 6\)\n$/);
    // the five good variants before it would take pdflatex several seconds
    expect(Date.now() - started).toBeLessThan(3000);
    nothingIn(out);
  }, 120_000);
});

describe.skipIf(!CHROMIUM && !CI)('--format pdf through Chromium', () => {
  it('prints the HTML sheets and solutions', async () => {
    const out = join(tmp, 'pdf-chromium');
    const r = await cli('handout', SPEC, '--count', '2', '--seed', '5', '--out', out, '--format', 'pdf', '--pdf-engine', 'chromium', '--jobs', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const n = pages(join(out, 'sheets.pdf'));
    if (n !== null) expect(n).toBe(pages(join(out, '1-sheet.pdf'))! + pages(join(out, '2-sheet.pdf'))!);
  }, 120_000);
});

describe('the built binary', () => {
  beforeAll(() => {
    // `npm test` builds first; a bare `vitest run` may not have
    if (!existsSync('dist/run/handout-worker.js')) execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  }, 120_000);

  it.each(['1', '2'])('leaves nothing behind when interrupted with Ctrl-C (--jobs %s)', async (jobs) => {
    const parent = join(tmp, `interrupt-${jobs}`);
    mkdirSync(parent);
    const out = join(parent, 'class');
    const child = spawn(process.execPath, ['dist/cli.js', 'handout', SPEC, '--count', '300', '--seed', '3', '--out', out, '--jobs', jobs]);
    // wait until the staging directory exists: the handouts are being made
    for (let i = 0; i < 200 && !readdirSync(parent).some((f) => f.includes('.unrolled-')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(parent).some((f) => f.includes('.unrolled-'))).toBe(true);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(130);
    expect(readdirSync(parent)).toEqual([]);
  }, 60_000);

  it('runs the variants on worker threads and writes the same bytes as one thread', async () => {
    const threads = join(tmp, 'threads');
    const single = join(tmp, 'single');
    const p = spawnSync(process.execPath, ['dist/cli.js', 'handout', SPEC, '--count', '6', '--seed', '9', '--out', threads, '--jobs', '2'], { encoding: 'utf8' });
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    // the second thread is a worker: it loads the bundle's worker entry (its cache is not recorded)
    const verify = spawnSync(process.execPath, ['dist/cli.js', 'handout', SPEC, '--count', '2', '--seed', '9', '--out', join(tmp, 'verify'), '--jobs', '2'], { encoding: 'utf8', env: { ...process.env, UNROLLED_CODE_CACHE: 'verify' } });
    expect(verify.status).toBe(0);
    expect(verify.stderr).toMatch(/^code cache of entry-handout-worker\.js: missing$/m);
    expect((await cli('handout', SPEC, '--count', '6', '--seed', '9', '--out', single, '--jobs', '1')).code).toBe(0);
    expect(files(threads)).toEqual(files(single));
    expect(Object.keys(files(threads))).toContain('6-key.yaml');
  }, 120_000);

  it('reports the first failing student, on worker threads as on one', async () => {
    // some variants draw the misspelt activation: the error is the lowest-numbered one's
    const spec = someBadSpec('some-bad.yaml');
    const single = await cli('handout', spec, '--count', '12', '--seed', '2', '--out', join(tmp, 'some-bad-1'), '--jobs', '1');
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(new RegExp(`^${spec}:16:\\d+: head\\.activation: unknown value "sigmod" .*\\(in the problem of variant (\\d+)\\)\\n$`));
    const first = Number(/variant (\d+)\)/.exec(single.stderr)![1]);
    expect(first).toBeGreaterThan(1); // variant 1 drew sigmoid: the failure comes later in the roster
    for (let run = 0; run < 3; run++) {
      const out = join(tmp, `some-bad-2-${run}`);
      const threads = spawnSync(process.execPath, ['dist/cli.js', 'handout', spec, '--count', '12', '--seed', '2', '--out', out, '--jobs', '2'], { encoding: 'utf8' });
      expect(threads.status).toBe(2);
      expect(threads.stderr).toBe(single.stderr);
      nothingIn(out);
    }
  }, 120_000);

  it('solves a variant at a higher precision when --precision would show values wrong, and says so (src/engine/verified.ts)', async () => {
    const out = join(tmp, 'saturated');
    const r = spawnSync(process.execPath, ['dist/cli.js', 'handout', 'fixtures/lstm-saturated.yaml', '--count', '2', '--seed', '1', '--out', out, '--jobs', '2'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const note = (v: number) => `note: variant ${v}: at --precision 64, 42 values would be shown wrong, their digits lost where nearly equal numbers cancel (ex1.t2.dg_pre[1]: 0.0000 instead of -2.359e-105, …); solved at 128 significant digits instead, where every value shown is right\n`;
    expect(r.stderr).toBe(note(1) + note(2) + "warning: variant 2 got the same problem as variant 1; the spec's generators leave too few choices\n");
    expect(readFileSync(join(out, '1-key.yaml'), 'utf8')).toMatch(/^# Answers key of variant 1, at 128 significant digits\.\n/);
    expect(readFileSync(join(out, '1-solution.md'), 'utf8')).toContain('carried to 128 significant digits, so every digit shown is correct');
  }, 60_000);

  it('warns, in roster order, when students got the same problem', async () => {
    // a problem file without generators is a spec whose variants are all the same
    const r = await cli('handout', 'fixtures/seed-rnn-sentiment.yaml', '--count', '3', '--seed', '1', '--out', join(tmp, 'same'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      "warning: variant 2 got the same problem as variant 1; the spec's generators leave too few choices\n" +
        "warning: variant 3 got the same problem as variant 1; the spec's generators leave too few choices\n",
    );
  }, 60_000);
});
