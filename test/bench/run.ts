// `npm run bench`: the performance targets of the project, each measured as a ratio in one
// run on this machine (so that a slow or busy machine slows both sides alike), printed as a
// table with the target beside it. Not a test: it reports, it does not fail.
//
//   1. latency: `unrolled solve` (seed, Markdown) and `unrolled --help` as whole processes,
//      against `node -e 0`
//   2. engine: a numbers-only solve of a generated LSTM (H = 16, D = 16, T = 32, 4 examples)
//      per multiply-add, against a bare decimal.js multiply-add loop of the same count;
//      T = 64 against T = 32; peak memory; lower --precision, and what it keeps correct
//   3. rendering: the seed's full-detail Markdown and HTML; KaTeX time per formula; sizes
//   4. batch: 100 (and 400) handout variants on all cores against one thread
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Decimal } from 'decimal.js';
import katex from 'katex';
import { Numeric } from '../../src/numeric/index.js';
import { loadProblem } from '../../src/problem/validate.js';
import { solve } from '../../src/engine/solve.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderHtml } from '../../src/render/html.js';
import { problemYaml } from '../helpers/shapes.js';
import { entriesOf, type Trace } from '../../src/trace/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'unrolled-bench-'));
const SEED = 'fixtures/seed-rnn-sentiment.yaml';
const rows: { what: string; value: string; target: string; ok: boolean | null }[] = [];
const report = (what: string, value: string, target = '', ok: boolean | null = null) => {
  rows.push({ what, value, target, ok });
  console.error(`  ${what}: ${value}${target ? ` (target ${target}${ok === null ? '' : ok ? ', met' : ', MISSED'})` : ''}`);
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;
const ratio = (x: number) => `${x.toFixed(2)}×`;

function wall(args: string[], runs = 7, env: NodeJS.ProcessEnv = process.env): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

/** median time of `runs` runs, and the last run's value (null once the caller lets it go) */
function time<T>(f: () => T, runs = 3): { ms: number; value: T | null } {
  let value: T | null = null;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    // the last run's value is let go first: a solve's trace of 200 MB left for the collector
    // to trace through would slow the next run, and a larger one more (T = 64 against 32)
    value = null;
    const t = process.hrtime.bigint();
    value = f();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms: median(times), value };
}

// ---------------------------------------------------------------------------------------
console.error('1. latency (whole processes, median of 7)');
const solveArgs = ['dist/cli.js', 'solve', SEED, '--format', 'md', '--out', join(tmp, 'latency')];
// NODE_EXTRA_CA_CERTS (set on some machines, the CI machine among them) makes Node 20 read
// and parse the certificates at every start, about 45 ms: a slower `node -e 0` makes the
// ratios easier, so they are measured also without it, as on most users' machines
const { NODE_EXTRA_CA_CERTS: extraCerts, ...withoutCerts } = process.env;
for (const [label, env] of [['', process.env], ...(extraCerts ? [[' (without NODE_EXTRA_CA_CERTS)', withoutCerts]] : [])] as [string, NodeJS.ProcessEnv][]) {
  const node = wall(['-e', '0'], 7, env);
  const help = wall(['dist/cli.js', '--help'], 7, env);
  const solveMd = wall(solveArgs, 7, env);
  report(`node -e 0${label}`, ms(node));
  report(`unrolled --help${label}`, `${ms(help)} = ${ratio(help / node)} node`, '≤ 2×', help / node <= 2);
  report(`unrolled solve seed --format md${label}`, `${ms(solveMd)} = ${ratio(solveMd / node)} node`, '≤ 3×', solveMd / node <= 3);
}
const noCache = { ...process.env, UNROLLED_CODE_CACHE: 'off' };
report('  the same without the code cache', `${ms(wall(solveArgs, 7, noCache))}, --help ${ms(wall(['dist/cli.js', '--help'], 7, noCache))}`);
report('unrolled solve --help', ms(wall(['dist/cli.js', 'solve', '--help'])));

// ---------------------------------------------------------------------------------------
console.error('2. engine (in process)');
/** multiply-adds: every affine product W v forward, and backward both δW += δ vᵀ and δv += Wᵀ δ */
function multiplyAdds(tr: Trace): number {
  const cols = new Map(tr.params.map((p) => [p.name, p.value.kind === 'mat' ? p.value.x[0]!.length : 1]));
  let forward = 0;
  for (const e of tr.examples) for (const s of e.forward) if (s.op === 'affine') for (const term of s.terms) forward += term.product.length * cols.get(term.W.name)!;
  return 3 * forward;
}
const files = [32, 64].map((T) => {
  const f = join(tmp, `lstm-T${T}.yaml`);
  // an LSTM with H = D = 16 and 4 examples of T tokens, numbers of 2 decimals
  writeFileSync(f, problemYaml({ cell: 'lstm', H: 16, D: 16, T: [T, T, T, T] }));
  return f;
});
const n64 = Numeric.at(64);
const p32 = loadProblem(files[0]!, n64);
const p64 = loadProblem(files[1]!, n64);
const rss0 = process.memoryUsage().rss;
const s32 = time(() => solve(p32, { precision: 64 }));
const rss1 = process.memoryUsage().rss;
const peak32 = process.resourceUsage().maxRSS; // KB
const macs = multiplyAdds(s32.value!);
s32.value = null;
const s64 = time(() => solve(p64, { precision: 64 }));
s64.value = null;
// the baseline: a bare decimal.js multiply-add loop of the same count at the same precision
const Big = Decimal.clone({ precision: 64 });
const xs = Array.from({ length: 64 }, (_, i) => new Big(1).div(i + 3));
const base = time(() => {
  let acc = new Big(0);
  for (let i = 0; i < macs; i++) acc = acc.plus(xs[i & 63]!.times(xs[(i * 7) & 63]!));
  return acc;
});
report('LSTM H=16 D=16 T=32 ×4, solve', `${ms(s32.ms)}, ${macs.toLocaleString('en')} multiply-adds, ${((s32.ms * 1e6) / macs).toFixed(0)} ns each`);
report('  per multiply-add vs bare decimal.js loop', `${ratio(s32.ms / base.ms)} (loop: ${((base.ms * 1e6) / macs).toFixed(0)} ns each)`, '≤ 2×', s32.ms / base.ms <= 2);
report('  T = 64 against T = 32', ratio(s64.ms / s32.ms), '≤ 2.2× (linear)', s64.ms / s32.ms <= 2.2);
report('  memory', `peak resident ${Math.round(peak32 / 1024)} MB during the T = 32 solves (${Math.round((rss1 - rss0) / 2 ** 20)} MB more than before them), ${Math.round(process.resourceUsage().maxRSS / 1024)} MB after T = 64`);
for (const P of [32, 20]) {
  const nP = Numeric.at(P);
  const pP = loadProblem(files[0]!, nP);
  const sP = time(() => solve(pP, { precision: P }));
  report(`  --precision ${P} against 64`, ratio(sP.ms / s32.ms));
}
// what each precision keeps correct: every named value of every fixture against a solve at
// 200 digits (the engine's own values, before src/engine/verified.ts solves again)
const FIXTURES = readdirSync('fixtures').filter((f) => f.endsWith('.yaml') && !f.includes('answers'));
const SATURATED = 'lstm-saturated.yaml';
const references = new Map(FIXTURES.map((f) => [f, solve(loadProblem(join('fixtures', f), Numeric.at(200)), { precision: 200 })]));
for (const P of [20, 32, 64]) {
  let significant = Infinity;
  let decimalsKept = Infinity;
  let zeroed = 0;
  for (const f of FIXTURES) {
    const got = solve(loadProblem(join('fixtures', f), Numeric.at(P)), { precision: P });
    for (const [id, ref] of references.get(f)!.quantities) {
      const mine = entriesOf(got.quantities.get(id)!);
      entriesOf(ref).forEach((x, i) => {
        const err = mine[i]!.v.minus(x.v).abs();
        if (!err.isZero()) decimalsKept = Math.min(decimalsKept, -Math.log10(err.toNumber()));
        if (x.v.isZero() || err.isZero()) return;
        if (mine[i]!.v.isZero()) zeroed++;
        else if (f !== SATURATED) significant = Math.min(significant, -Math.log10(err.div(x.v.abs()).toNumber()));
      });
    }
  }
  report(`  --precision ${P} keeps`, `${significant.toFixed(1)} significant digits (every fixture but ${SATURATED}), ${decimalsKept.toFixed(1)} decimal places (every fixture); ${zeroed} tiny values computed as 0`);
}

// ---------------------------------------------------------------------------------------
console.error('3. rendering (the seed, full detail)');
const seed = solve(loadProblem(SEED, n64), { precision: 64 });
const md = time(() => renderMarkdown(seed, { decimals: 4, detail: 'full' }));
const html = time(() => renderHtml(seed, { decimals: 4, detail: 'full' }), 1);
const formulas = [...md.value!.matchAll(/\$\$\n([\s\S]*?)\n\$\$|\$([^$\n]+)\$/g)].map((m) => ({ tex: m[1] ?? m[2]!, display: m[1] !== undefined }));
const kt = time(() => formulas.forEach((f) => katex.renderToString(f.tex, { displayMode: f.display, throwOnError: true, output: 'htmlAndMathml' })), 1);
report('Markdown', `${ms(md.ms)}, ${(md.value!.length / 1024).toFixed(0)} KB`);
report('HTML (KaTeX, fonts inlined)', `${ms(html.ms)}, ${(html.value!.length / 2 ** 20).toFixed(1)} MB`);
report('KaTeX per formula', `${((kt.ms * 1000) / formulas.length).toFixed(0)} µs (${formulas.length} formulas)`);

// ---------------------------------------------------------------------------------------
console.error('4. batch (100 and 400 handout variants, whole processes, 1 thread against all)');
const cores = availableParallelism();
/** CPU time of the whole machine, ms: what a child process and its threads used, on a quiet machine */
const machineCpu = () => cpus().reduce((a, c) => a + c.times.user + c.times.sys + c.times.nice + c.times.irq, 0);
/** wall time, and the cores kept busy on average (CPU time / wall time) */
async function measured(f: () => Promise<unknown>): Promise<{ ms: number; busy: number }> {
  const c = machineCpu();
  const t = process.hrtime.bigint();
  await f();
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  return { ms: wallMs, busy: (machineCpu() - c) / wallMs };
}
/** `unrolled handout` of the bench's spec, as a process of its own */
function handout(count: number, seed: number, out: string, jobs: number): Promise<void> {
  const args = ['dist/cli.js', 'handout', 'fixtures/handout/rnn-spec.yaml', '--count', String(count), '--seed', String(seed), '--out', join(tmp, out), '--jobs', String(jobs)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`handout exited with ${code}: ${stderr}`))));
  });
}
const batch = (count: number, jobs: number) => measured(() => handout(count, 1, `handout-${count}-${jobs}`, jobs));
/** the control: `cores` separate processes at once, each on one thread with its share of the variants (nothing shared, nothing to coordinate) */
const processes = (count: number) =>
  measured(() => Promise.all(Array.from({ length: cores }, (_, k) => handout(Math.ceil(count / cores), k + 1, `procs-${count}-${k}`, 1))));
for (const count of [100, 400]) {
  // alternately, median of 3 (of 1 for 400)
  const ones: { ms: number; busy: number }[] = [];
  const alls: { ms: number; busy: number }[] = [];
  const procs: { ms: number; busy: number }[] = [];
  for (let k = 0; k < (count === 100 ? 3 : 1); k++) {
    ones.push(await batch(count, 1));
    alls.push(await batch(count, cores));
    if (cores >= 2) procs.push(await processes(count));
  }
  const mid = (xs: { ms: number; busy: number }[]) => [...xs].sort((a, b) => a.ms - b.ms)[Math.floor(xs.length / 2)]!;
  const one = mid(ones);
  const all = mid(alls);
  const perSecond = (m: { ms: number }) => ((count * 1000) / m.ms).toFixed(1);
  const target = count === 100 ? (cores >= 2 ? '≥ 1.7× on 2 cores' : '(one core: no target)') : '';
  report(`${count} variants, 1 thread`, `${ms(one.ms)}, ${perSecond(one)} variants/s, ${one.busy.toFixed(1)} cores busy`);
  report(`${count} variants, ${cores} threads`, `${ms(all.ms)}, ${perSecond(all)} variants/s, ${all.busy.toFixed(1)} cores busy, ${ratio(one.ms / all.ms)} faster`, target, target && cores >= 2 ? one.ms / all.ms >= 1.7 : null);
  if (cores >= 2) {
    const p = mid(procs);
    report(`  control: ${cores} separate processes at once, ${Math.ceil(count / cores)} variants each`, `${ms(p.ms)}, ${p.busy.toFixed(1)} cores busy, ${ratio(one.ms / p.ms)} faster than 1 thread`);
  }
}
// the control: the same number of decimal.js multiply-adds on 1 worker thread and on all,
// to tell what the machine gives to threads that only compute
const loop = `const { parentPort, workerData } = require('node:worker_threads'); const { Decimal } = require('decimal.js');
const D = Decimal.clone({ precision: 64 }); const x = new D(1).div(3), y = new D(2).div(7); let acc = new D(0);
for (let i = 0; i < workerData; i++) acc = acc.plus(x.times(y)); parentPort.postMessage(acc.toString());`;
const threads = async (k: number, total: number) => {
  const t = process.hrtime.bigint();
  await Promise.all(Array.from({ length: k }, () => new Promise((res, rej) => new Worker(loop, { eval: true, workerData: Math.ceil(total / k) }).on('message', res).on('error', rej))));
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const loop1 = await threads(1, 400_000);
const loopAll = await threads(cores, 400_000);
report(`control: a decimal.js loop on ${cores} threads against 1`, `${ratio(loop1 / loopAll)} faster`);

rmSync(tmp, { recursive: true, force: true });
console.log(`\nunrolled benchmarks on ${cpus()[0]?.model ?? 'unknown CPU'} (${cores} cores, ${Math.round(totalmem() / 2 ** 30)} GB), Node ${process.version}\n`);
console.log('| measure | value | target |');
console.log('| --- | --- | --- |');
for (const r of rows) console.log(`| ${r.what.trim()} | ${r.value} | ${r.target}${r.ok === null || !r.target ? '' : r.ok ? ' ✓' : ' ✗'} |`);
