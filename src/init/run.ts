// The core of `unrolled init`: check the options, draw a seed if none was given, generate
// the problem file and write it (atomically, never over an existing file without --force).
// It never sees yargs.
import { randomInt } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { checkInt, InputError } from '../problem/errors.js';
import type { CellKind, Convention } from '../problem/types.js';
import type { IO } from '../main.js';
import { writeAtomic } from '../run/output.js';
import { CELLS, CONVENTIONS, generateProblem, SIZE_LIMITS, type InitOptions } from './generate.js';

export interface InitRequest {
  cell: string;
  convention: string;
  hidden: number;
  embed: number;
  /** null: draw one (and record it in the file's header) */
  seed: string | null;
  /** a file, or `-` for standard output */
  out: string;
  force: boolean;
  initialState: boolean;
}

/** A seed is written into the header's command line, so it must survive a shell unquoted. */
const SEED = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}$/;

const checkSize = (flag: string, v: number, range: readonly [number, number]) => checkInt(flag, v, range, ' (a bigger network is no longer an exercise by hand)');

/** The options as the generator takes them, or an InputError naming the bad flag. */
export function initOptions(req: InitRequest, drawSeed: () => string = () => String(randomInt(0, 1_000_000))): InitOptions {
  if (!(CELLS as readonly string[]).includes(req.cell)) throw InputError.one('--cell', null, `expected one of ${CELLS.join(', ')}, got ${req.cell}`);
  if (!(CONVENTIONS as readonly string[]).includes(req.convention)) {
    throw InputError.one('--convention', null, `expected one of ${CONVENTIONS.join(', ')}, got ${req.convention}`);
  }
  checkSize('hidden', req.hidden, SIZE_LIMITS.hidden);
  checkSize('embed', req.embed, SIZE_LIMITS.embed);
  if (req.seed !== null && !SEED.test(req.seed)) {
    throw InputError.one('--seed', null, `expected up to 64 letters, digits, ".", "_" or "-" (not first), got "${req.seed}"`);
  }
  return {
    cell: req.cell as CellKind,
    convention: req.convention as Convention,
    hidden: req.hidden,
    embed: req.embed,
    seed: req.seed ?? drawSeed(),
    initialState: req.initialState,
  };
}

/** `unrolled solve FILE`, quoted for a shell when it has to be. */
const shellWord = (s: string) => (/^[A-Za-z0-9_./+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function runInit(req: InitRequest, io: IO): void {
  const out = req.out;
  if (out === '') throw InputError.one('--out', null, 'expected a file name, or - for standard output');
  const opts = initOptions(req);
  const text = generateProblem(opts);
  if (out === '-') {
    io.stdout(text);
    return;
  }
  if (existsSync(out)) {
    if (statSync(out).isDirectory()) throw InputError.one(out, null, 'is a directory; give --out a file name, e.g. --out ' + shellWord(`${out.replace(/\/+$/, '')}/problem.yaml`));
    if (!req.force) throw InputError.one(out, null, 'already exists; use --force to overwrite it or --out to choose another file');
  }
  const dir = dirname(out);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw InputError.one('--out', null, `cannot write ${out}: directory ${dir} does not exist`);
  writeAtomic(out, text);
  const md = `out/${basename(out, extname(out))}.md`;
  io.stdout(`wrote ${out} (${opts.cell}, ${opts.convention}, H = ${opts.hidden}, D = ${opts.embed}, seed ${opts.seed})\n`);
  io.stdout(`next: unrolled solve ${shellWord(out)}    # writes the worked solution to ${md}\n`);
}
