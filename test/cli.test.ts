// The command line (DESIGN §8): in-process through main(args, io), and once as the built
// binary. Exit 0 on success; 2 on bad input or usage with one line per problem on stderr, no
// stack trace, and no output file left behind.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, escapeRegExp, type Run } from './helpers/cli.js';
import { VERSION } from '../src/version.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SEED = join(ROOT, 'fixtures', 'seed-rnn-sentiment.yaml');
const REFERENCE = JSON.parse(readFileSync(join(ROOT, 'test', 'reference', 'seed-rnn-sentiment.json'), 'utf8')) as {
  quantities: Record<string, unknown>;
};


let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'unrolled-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh, empty directory under the test's temp dir. */
function freshDir(name: string): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Every reference id is in the output, and a few values are right. */
function expectSeedJson(text: string): void {
  const q = (JSON.parse(text) as { quantities: Record<string, unknown> }).quantities;
  const missing = Object.keys(REFERENCE.quantities).filter((id) => !(id in q));
  expect(missing).toEqual([]);
  expect(q['ex1.t1.z']).toEqual(['0.23', '0.32', '0.27']);
  expect(String(q['loss']).slice(0, 14)).toBe('1.512016674318');
  expect(String((q['ex1.t1.h'] as string[])[1]).slice(0, 12)).toBe('0.3095069212');
}

/** The shape of a bad-input failure: exit 2, `lines` lines on stderr, no stack trace, nothing on stdout. */
function expectInputFailure(r: Run, lines: number): string[] {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  const out = r.stderr.slice(0, -1).split('\n');
  expect(out, r.stderr).toHaveLength(lines);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/Error:|internal error/);
  return out;
}

describe('unrolled solve, in-process', () => {
  it('--format json prints every reference quantity as JSON on stdout', async () => {
    const r = await cli('solve', SEED, '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expectSeedJson(r.stdout);
  });

  // the gated cells through the whole command: every id of their reference files (whose
  // values test/engine/reference.test.ts checks)
  for (const [name, own] of [
    ['lstm-textbook-small', ['ex1.t2.tanh_c', 'ex1.t1.dc', 'grad.W_f', 'update.b_o', 'grad.emb.there']],
    ['gru-pytorch-small', ['ex1.t3.hn', 'ex1.t2.dn_pre', 'grad.weight_hh', 'grad.bias_ih']],
  ] as const) {
    it(`solve test/reference/${name}.yaml --format json prints every reference id`, async () => {
      const r = await cli('solve', join(ROOT, 'test', 'reference', `${name}.yaml`), '--format', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      const q = (JSON.parse(r.stdout) as { quantities: Record<string, unknown> }).quantities;
      const ref = (JSON.parse(readFileSync(join(ROOT, 'test', 'reference', `${name}.json`), 'utf8')) as { quantities: Record<string, unknown> }).quantities;
      expect(Object.keys(ref).length).toBeGreaterThan(50);
      expect(Object.keys(ref).filter((id) => !(id in q))).toEqual([]);
      for (const id of own) expect(q, id).toHaveProperty([id]);
      for (const [id, v] of Object.entries(q)) for (const x of [v].flat(2)) expect(x, id).toMatch(/^-?\d+(\.\d+)?(e[+-]\d+)?$/);
    });
  }

  it('a parameter of a layer the model does not have: exit 2, one line naming file, line, field', async () => {
    const problem = join(freshDir('gru-l1'), 'gru.yaml');
    writeFileSync(problem, readFileSync(join(ROOT, 'test', 'reference', 'gru-pytorch-small.yaml'), 'utf8').replace('  bias_hh:', '  weight_hh_l1: [[1, 2]]\n  bias_hh:'));
    const out = freshDir('gru-l1-out');
    const [line] = expectInputFailure(await cli('solve', problem, '--out', out), 1);
    expect(line).toMatch(new RegExp(`^${escapeRegExp(problem)}:\\d+:\\d+: params\\.weight_hh_l1: belongs to layer 1 \\(counting from 0\\), but the model has one layer`));
    expect(readdirSync(out)).toEqual([]);
  });

  it('--format json --out - is the same as the default for json', async () => {
    const a = await cli('solve', SEED, '--format', 'json');
    const b = await cli('solve', SEED, '-f', 'json', '--out', '-');
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('--out DIR writes DIR/<name>.md atomically, leaving no temporary file', async () => {
    const out = freshDir('md');
    const r = await cli('solve', SEED, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const file = join(out, 'seed-rnn-sentiment.md');
    expect(r.stdout).toBe(`wrote ${file}\n`);
    expect(readdirSync(out)).toEqual(['seed-rnn-sentiment.md']);
    const md = readFileSync(file, 'utf8');
    expect(md).toContain('Vanilla RNN sentiment');
    expect(md.length).toBeGreaterThan(2000);
    // a second run replaces the file whole, still without leftovers
    const again = await cli('solve', SEED, '--out', out, '--detail', 'brief');
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['seed-rnn-sentiment.md']);
    expect(readFileSync(file, 'utf8')).not.toBe(md);
  });

  it('--out DIR creates the directory, and json goes to DIR/<name>.json', async () => {
    const out = join(tmp, 'new', 'nested');
    const r = await cli('solve', SEED, '--format', 'json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['seed-rnn-sentiment.json']);
    expectSeedJson(readFileSync(join(out, 'seed-rnn-sentiment.json'), 'utf8'));
  });

  it('an unknown token: exit 2, one line naming file, line, field and token; no file written', async () => {
    const problem = join(freshDir('bad-token'), 'typo.yaml');
    writeFileSync(problem, readFileSync(SEED, 'utf8').replace('"i hate this book"', '"i hate this bok"'));
    const out = freshDir('bad-token-out');
    const r = await cli('solve', problem, '--out', out);
    const [line] = expectInputFailure(r, 1);
    expect(line).toMatch(new RegExp(`^${escapeRegExp(problem)}:\\d+:\\d+: data\\[2\\]\\.text: unknown token "bok": not in embeddings \\(close: "book"\\)$`));
    expect(readdirSync(out)).toEqual([]);
  });

  it('several problems in one file: one line each', async () => {
    const problem = join(freshDir('two-bad'), 'two.yaml');
    writeFileSync(
      problem,
      readFileSync(SEED, 'utf8').replace('"i hate this book"', '"i hate this bok"').replace('hidden_size: 3', 'hidden_size: 3\n  hiden_size: 3'),
    );
    const out = freshDir('two-bad-out');
    const lines = expectInputFailure(await cli('solve', problem, '--out', out), 2);
    expect(lines[0]).toContain('model.hiden_size: unknown field (did you mean "hidden_size"?)');
    expect(lines[1]).toContain('unknown token "bok"');
    for (const l of lines) expect(l.startsWith(problem + ':')).toBe(true);
    expect(readdirSync(out)).toEqual([]);
  });

  it('a missing file: exit 2, one line', async () => {
    const out = freshDir('missing-out');
    const missing = join(tmp, 'no-such-problem.yaml');
    const [line] = expectInputFailure(await cli('solve', missing, '--out', out), 1);
    expect(line).toBe(`${missing}: no such file`);
    expect(readdirSync(out)).toEqual([]);
  });

  it('an unknown option: exit 2, one line', async () => {
    const out = freshDir('unknown-option-out');
    const [line] = expectInputFailure(await cli('solve', SEED, '--out', out, '--bogus'), 1);
    expect(line).toContain('Unknown argument: bogus');
    expect(readdirSync(out)).toEqual([]);
  });

  it('--decimals -1: exit 2, one line naming the flag and the range', async () => {
    const out = freshDir('decimals-out');
    const [line] = expectInputFailure(await cli('solve', SEED, '--out', out, '--decimals', '-1'), 1);
    expect(line).toBe('--decimals: expected a whole number from 0 to 30, got -1');
    expect(readdirSync(out)).toEqual([]);
  });

  it('--decimals abc: exit 2, one line that does not print NaN', async () => {
    const [line] = expectInputFailure(await cli('solve', SEED, '--out', freshDir('decimals-abc'), '--decimals', 'abc'), 1);
    expect(line).toBe('--decimals: expected a whole number from 0 to 30, got something that is not a number');
  });

  it('--precision below the minimum: exit 2, one line', async () => {
    const [line] = expectInputFailure(await cli('solve', SEED, '--format', 'json', '--precision', '15'), 1);
    expect(line).toContain('--precision: expected a whole number from 20 to 1000, got 15');
  });

  it('--out naming a file: exit 2, one line, the file untouched', async () => {
    const file = join(freshDir('out-file'), 'occupied');
    writeFileSync(file, 'keep me');
    const [line] = expectInputFailure(await cli('solve', SEED, '--out', file), 1);
    expect(line).toContain(`--out: cannot write to ${file}: is a file, expected a directory`);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(readdirSync(dirname(file))).toEqual(['occupied']);
  });

  it('no command: exit 2, one line', async () => {
    const [line] = expectInputFailure(await cli(), 1);
    expect(line).toContain('give a command');
  });

  // yargs puts the details of an invalid choice on lines of their own; they must reach the
  // user on the one line.
  it('an invalid --format names the option, the value and the choices', async () => {
    const [line] = expectInputFailure(await cli('solve', SEED, '--format', 'pdf'), 1);
    expect(line).toContain('format');
    expect(line).toContain('pdf');
    expect(line).toMatch(/md.*json/);
  });

  it('--help and --version exit 0 on stdout', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^\s*unrolled solve <problem>/m);
    const solveHelp = await cli('solve', '--help');
    expect(solveHelp.code).toBe(0);
    for (const flag of ['--format', '--out', '--decimals', '--detail', '--precision']) expect(solveHelp.stdout).toContain(flag);
    const version = await cli('--version');
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);
  });
});

describe('the built binary', () => {
  const bin = join(ROOT, 'dist', 'cli.js');
  beforeAll(() => {
    // `npm test` builds first; a bare `vitest run` may not have
    if (!existsSync(bin)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);
  const node = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  it('solve fixtures/seed-rnn-sentiment.yaml --format json exits 0 with the JSON', () => {
    const r = node('solve', 'fixtures/seed-rnn-sentiment.yaml', '--format', 'json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expectSeedJson(r.stdout);
  }, 60_000);

  it('--help exits 0 and lists solve', () => {
    const r = node('--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s*unrolled solve <problem>/m);
  }, 60_000);

  it('UNROLLED_MAX_SIZE raises the size limit that hidden_size 70 is above', () => {
    const file = join(tmp, 'wide.yaml');
    writeFileSync(file, 'model: {cell: rnn, hidden_size: 70}\ndata: [{inputs: [[1]], target: 1}]\nparams:\n' +
      `  W_xh: [${Array(70).fill('[0.01]').join(', ')}]\n  W_hh: [${Array(70).fill(`[${Array(70).fill('0').join(', ')}]`).join(', ')}]\n` +
      `  b_h: [${Array(70).fill('0').join(', ')}]\n  W_hy: [[${Array(70).fill('0.01').join(', ')}]]\n  b_y: [0]\nhead: {activation: sigmoid, loss: bce}\n`);
    const refused = spawnSync(process.execPath, [bin, 'solve', file, '--format', 'json'], { cwd: ROOT, encoding: 'utf8' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`${file}:1:33: model.hidden_size: 70 is out of range: expected 1 to 64 (a worked solution that size is more than anyone reads; set the environment variable UNROLLED_MAX_SIZE to raise the limit)\n`);
    const raised = spawnSync(process.execPath, [bin, 'solve', file, '--format', 'json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, UNROLLED_MAX_SIZE: '100' } });
    expect(raised.status, raised.stderr).toBe(0);
    expect((JSON.parse(raised.stdout) as { quantities: Record<string, string[]> }).quantities['ex1.t1.h']).toHaveLength(70);
  }, 60_000);

  it('bad input exits 2 with one line and no stack trace', () => {
    const r = node('solve', 'fixtures/no-such-file.yaml', '--format', 'json');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('fixtures/no-such-file.yaml: no such file\n');
  }, 60_000);

  it('src/version.ts VERSION equals package.json version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(node('--version').stdout).toBe(`${pkg.version}\n`);
  }, 60_000);
});
