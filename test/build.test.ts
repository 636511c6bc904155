// The built command (dist/, made by src/build.mjs): it writes what the source writes, with
// its templates precompiled into the bundle, and V8 takes the code cache of every chunk.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './helpers/cli.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GOLDEN = join(ROOT, 'test', 'render', 'golden');
let tmp: string;

beforeAll(() => {
  // `npm test` builds first; a bare `vitest run` may not have
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  tmp = mkdtempSync(join(tmpdir(), 'unrolled-build-'));
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[], env: NodeJS.ProcessEnv = {}, bin = join(ROOT, 'dist', 'cli.js')) =>
  spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });

/** What UNROLLED_CODE_CACHE=verify printed: V8 took (or refused) the cache of every chunk it loaded, entry-cli.js's among them. */
function expectEveryCache(stderr: string, verdict: 'accepted' | 'rejected'): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toContain(`code cache of entry-cli.js: ${verdict}`);
  for (const line of lines) expect(line).toMatch(new RegExp(`^code cache of [\\w-]+\\.js: ${verdict}$`));
}

describe('the built command', () => {
  // every golden file, written by the built command from precompiled templates
  const goldens: [golden: string, problem: string, args: string[]][] = [
    ['seed-rnn-sentiment.md', 'seed-rnn-sentiment', []],
    ['seed-rnn-sentiment.standard.md', 'seed-rnn-sentiment', ['--detail', 'standard']],
    ['seed-rnn-sentiment.brief.md', 'seed-rnn-sentiment', ['--detail', 'brief']],
    ['escaping-tokens.md', 'escaping-tokens', []],
    ['rnn-regression-inputs.md', 'rnn-regression-inputs', []],
    ['lstm-textbook-small.md', 'lstm-textbook-small', []],
    ['gru-pytorch-small.md', 'gru-pytorch-small', []],
    ['rnn-truncated.md', 'rnn-truncated', []],
    ['gru-pytorch-stacked-bidirectional.md', 'gru-pytorch-stacked-bidirectional', []],
    ['seed-rnn-sentiment.tex', 'seed-rnn-sentiment', ['--format', 'tex']],
  ];
  it.each(goldens)('writes %s as the source does', (golden, problem, args) => {
    const r = run(['solve', `fixtures/${problem}.yaml`, '--out', '-', ...args]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(GOLDEN, golden), 'utf8'));
  }, 60_000);

  // the bundle's string-width makes its Intl.Segmenter and its emoji expression on first use
  // (src/build.mjs): the help it lays out is the source's, σ, ½ and … included
  it.each([[[]], [['solve']], [['check']], [['handout']], [['init']]])('lays out %j --help as the source does', async (command) => {
    const r = run([...command, '--help']);
    expect(r.status, r.stderr).toBe(0);
    const source = await cli(...command, '--help');
    expect(r.stdout).toBe(source.stdout);
    if (command.length) expect(r.stdout).toMatch(/[σ½…]/);
    // the bundle is minified (whitespace and syntax; names kept): `new Intl.Segmenter` is
    // made only where `lazySegmenter ??=` is
    const bundle = readFileSync(join(ROOT, 'dist', 'entry-cli.js'), 'utf8').replace(/\s+/g, '');
    expect(bundle).toMatch(/lazySegmenter\?\?=newIntl\.Segmenter/);
    expect(bundle).toContain('lazyRgiEmoji??=');
    expect(bundle.match(/newIntl\.Segmenter/g)).toHaveLength(1);
  }, 60_000);

  // yargs's checks of its own state are made without node:assert (src/build.mjs), which is
  // loaded only to throw when one fails
  it('loads no node:assert for solve or --help', () => {
    const preload = join(tmp, 'modules.cjs');
    writeFileSync(preload, "process.on('exit', () => process.stderr.write(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).join('\\n')));\n");
    for (const args of [['solve', 'fixtures/seed-rnn-sentiment.yaml', '--out', '-'], ['--help']]) {
      const r = spawnSync(process.execPath, ['--require', preload, join(ROOT, 'dist', 'cli.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const modules = r.stderr.split('\n');
      expect(modules).toContain('NativeModule fs');
      expect(modules).not.toContain('NativeModule assert');
    }
    // minified, `if (!Object.is(a, b)) lazyAssert().strictEqual(a, b, message)` reads `Object.is(a,b)||lazyAssert()…`
    const bundle = readFileSync(join(ROOT, 'dist', 'entry-cli.js'), 'utf8').replace(/\s+/g, '');
    expect(bundle).toMatch(/(if\(!Object\.is\(a,b\)\)|Object\.is\(a,b\)\|\|)lazyAssert\(\)\.strictEqual\(a,b,message\)/);
  }, 60_000);

  it('takes the code cache of every chunk that solve and --help load', () => {
    for (const args of [['solve', 'fixtures/seed-rnn-sentiment.yaml', '--out', '-'], ['--help']]) {
      const r = run(args, { UNROLLED_CODE_CACHE: 'verify' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr.trim().split('\n').length).toBeGreaterThanOrEqual(args[0] === 'solve' ? 4 : 2);
      expectEveryCache(r.stderr, 'accepted');
    }
  }, 60_000);

  it('tells V8 to optimize later, with the flags this V8 has, under which its caches are recorded; UNROLLED_TIERING=1 leaves V8 its own', () => {
    // the build recorded this V8's tier-up thresholds, and only flags it lists
    const recorded = JSON.parse(readFileSync(join(ROOT, 'dist', 'v8-flags.json'), 'utf8')) as { v8: string; defaults: Record<string, number> };
    expect(recorded.v8).toBe(process.versions.v8);
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(Object.keys(recorded.defaults).length).toBeGreaterThan(0);
    for (const [flag, value] of Object.entries(recorded.defaults)) expect(options).toContain(`default: --${flag}=${value}\n`);
    const args = ['solve', 'fixtures/seed-rnn-sentiment.yaml', '--format', 'json'];
    const normal = run(args, { UNROLLED_CODE_CACHE: 'verify' });
    expect(normal.status, normal.stderr).toBe(0);
    expectEveryCache(normal.stderr, 'accepted');
    // V8 takes a code cache only under the flags it was recorded with: under another factor
    // the flags differ, so every cache is refused, and the output is the same
    for (const factor of ['1', '4']) {
      const other = run(args, { UNROLLED_CODE_CACHE: 'verify', UNROLLED_TIERING: factor });
      expect(other.status, other.stderr).toBe(0);
      expect(other.stdout).toBe(normal.stdout);
      expectEveryCache(other.stderr, 'rejected');
    }
  }, 60_000);

  it('sets no V8 flag under another V8 than the one it was built with (no error for a flag that V8 does not have)', () => {
    // as after a Node upgrade without a rebuild: the record names another V8 and a flag no V8 has
    const copy = join(tmp, 'dist-other-v8');
    cpSync(join(ROOT, 'dist'), copy, { recursive: true });
    writeFileSync(join(copy, 'v8-flags.json'), JSON.stringify({ v8: '0.0.0', defaults: { 'no-such-flag': 1 } }));
    const args = ['solve', 'fixtures/seed-rnn-sentiment.yaml', '--format', 'json'];
    const r = run(args, { UNROLLED_CODE_CACHE: 'verify' }, join(copy, 'cli.js'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(run(args).stdout);
    // the caches were recorded under the build's flags, so V8, left with its own, refuses them
    expectEveryCache(r.stderr, 'rejected');
    // and without a record at all
    rmSync(join(copy, 'v8-flags.json'));
    const bare = run(args, {}, join(copy, 'cli.js'));
    expect(bare.status, bare.stderr).toBe(0);
    expect(bare.stderr).toBe('');
  }, 60_000);

  it('writes the same without its code cache, and with a damaged one', () => {
    const normal = run(['solve', 'fixtures/lstm-textbook-small.yaml', '--format', 'json']);
    expect(normal.status, normal.stderr).toBe(0);
    expect(run(['solve', 'fixtures/lstm-textbook-small.yaml', '--format', 'json'], { UNROLLED_CODE_CACHE: 'off' }).stdout).toBe(normal.stdout);
    // a copy of dist/ whose caches are garbage: V8 refuses them and compiles the source
    const copy = join(tmp, 'dist');
    cpSync(join(ROOT, 'dist'), copy, { recursive: true });
    const caches = readdirSync(copy).filter((f) => f.endsWith('.cache'));
    expect(caches.length).toBeGreaterThan(3);
    for (const f of caches) writeFileSync(join(copy, f), 'not a code cache');
    const damaged = run(['solve', 'fixtures/lstm-textbook-small.yaml', '--format', 'json'], { UNROLLED_CODE_CACHE: 'verify' }, join(copy, 'cli.js'));
    expect(damaged.status, damaged.stderr).toBe(0);
    expect(damaged.stdout).toBe(normal.stdout);
    expectEveryCache(damaged.stderr, 'rejected');
  }, 60_000);

  it('compiles the templates of --templates DIR with the full Handlebars, the rest precompiled', () => {
    const dir = join(tmp, 'templates', 'md');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'footer.hbs'), '\n---\nCourse 101, sheet {{title}}\n');
    const r = run(['solve', 'fixtures/seed-rnn-sentiment.yaml', '--out', '-', '--templates', dirname(dir)]);
    expect(r.status, r.stderr).toBe(0);
    const golden = readFileSync(join(GOLDEN, 'seed-rnn-sentiment.md'), 'utf8');
    expect(r.stdout).toBe(golden.trimEnd() + '\n\n---\nCourse 101, sheet Vanilla RNN sentiment: forward pass and full BPTT\n');
    writeFileSync(join(dir, 'footer.hbs'), '{{#if}}');
    const bad = run(['solve', 'fixtures/seed-rnn-sentiment.yaml', '--out', '-', '--templates', dirname(dir)]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^.*footer\.hbs: not a valid Handlebars template: .*\n$/);
  }, 60_000);
});
