// One isolated Handlebars instance per renderer, with every helper registered here and every
// template of templates/<format>/ registered as a partial by its file name.
//
// The built CLI carries the templates precompiled (src/build.mjs) and needs only the
// Handlebars runtime; the full compiler is loaded when templates are compiled here: from
// source (the tests), or when `--templates DIR` overrides some of them.
import type HandlebarsNs from 'handlebars';
import * as runtimeModule from 'handlebars/runtime.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InputError, didYouMean } from '../problem/errors.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Num } from '../numeric/index.js';
import type { Mat, Value, Vec } from '../trace/types.js';
import { escapeLatexText, factor, matm, num, plainText, productMatrix, products, rel, rowm, valuem, vecm } from './latex.js';
import { precompiled } from './precompiled.js';
import compileOptions from './compile-options.json' with { type: 'json' };

type HandlebarsEnv = typeof HandlebarsNs;
type CompileOptions = Parameters<HandlebarsEnv['compile']>[1];
/** a precompiled template (what Handlebars.template takes) */
export type TemplateSpec = Parameters<HandlebarsEnv['template']>[0];
/** the runtime (no compiler): enough for precompiled templates */
const Runtime = (runtimeModule as unknown as { default: HandlebarsEnv }).default;
/** the full Handlebars, with its compiler, loaded on first use */
let full: HandlebarsEnv | null = null;
const compiler = (): HandlebarsEnv => (full ??= createRequire(import.meta.url)('handlebars') as HandlebarsEnv);

/** The options every template is compiled with, here and at build time (src/build.mjs reads the same file). */
const COMPILE_OPTIONS: CompileOptions = compileOptions;

/** templates/ of this package, found from this file (src/render in tests, dist/ when bundled). */
export function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'templates')) && existsSync(join(dir, 'package.json'))) return join(dir, 'templates');
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the templates directory');
    dir = up;
  }
}

/** Markdown: backslash-escape every ASCII punctuation character CommonMark may act on. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#+\-.!|$~^&%'"=]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

type Hash = { hash: Record<string, unknown> };

/**
 * A renderer for one format: an isolated Handlebars instance with every helper, every
 * template of templates/<format>/ as a partial, and `solution` as the main template.
 * `overrides` (`--templates DIR`) replaces built-in templates by name: DIR/<format>/*.hbs,
 * or DIR/*.hbs when DIR has no such folder.
 */
/**
 * A renderer of templates/<format>/<main>.hbs with every other template of the format as a
 * partial (`main` is `solution`, or another top-level template such as `sheet` or `pages`).
 */
export function createRenderer(format: string, decimals: number, overrides: string | null = null, mainName = 'solution'): (data: object) => string {
  // the built-in templates give the same renderer every time: one per process
  const key = `${format}/${mainName}/${decimals}`;
  const cached = overrides === null ? rendererCache.get(key) : undefined;
  if (cached) return cached;
  const built = precompiled?.[format];
  const hb = (built && overrides === null ? Runtime : compiler()).create();
  const d = decimals;
  const helpers: Record<string, (...args: never[]) => unknown> = {
    num: (x: Num) => num(x, d),
    /** a number at other decimals than the solution's, and its relation */
    numAt: (x: Num, places: number) => num(x, places),
    relAt: (x: Num, places: number) => rel(x, places),
    factor: (x: Num) => factor(x, d),
    /** −x as displayed (a sign flip of the text, no arithmetic) */
    neg: (x: Num) => {
      const t = num(x, d);
      return t.startsWith('-') ? t.slice(1) : t === '0' ? t : `-${t}`;
    },
    /** the relation before a result: `=` or `≈` */
    rel: (x: Parameters<typeof rel>[0]) => rel(x, d),
    /** the relation before numbers substituted into a formula */
    relop: (x: Parameters<typeof rel>[0]) => rel(x, d, true),
    vec: (v: Vec) => vecm(v, d),
    row: (v: Vec) => rowm(v, d),
    mat: (m: Mat) => matm(m, d),
    value: (v: Value) => valuem(v, d),
    products: (terms: [Num, Num][]) => products(terms, d),
    /** [a] + [b] + [c] */
    vecsum: (parts: Vec[]) => parts.map((p) => vecm(p, d)).join(' + '),
    valuesum: (parts: { value: Value }[]) => parts.map((p) => valuem(p.value, d)).join(' + '),
    /** user text in running Markdown */
    text: (s: string) => escapeMarkdown(String(s)),
    /** a code span that no backtick in the text can close early */
    code: (s: string) => {
      const t = String(s);
      const run = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
      const fence = '`'.repeat(run + 1);
      return run ? `${fence} ${t} ${fence}` : `${fence}${t}${fence}`;
    },
    /** text for a GFM table cell: a pipe would end the cell, even inside code or math */
    cell: (s: string) => String(s).replace(/\|/g, '\\|'),
    /** user text inside math */
    mtext: (s: string) => `\\text{${escapeLatexText(String(s))}}`,
    inc: (i: number) => i + 1,
    eq: (a: unknown, b: unknown) => a === b,
    gt: (a: number, b: number) => a > b,
    join: (xs: string[], sep: string) => xs.join(typeof sep === 'string' ? sep : ', '),
    /** plain text for tables: 0.2260, (0.2260, 0.3095), [(…); (…)] */
    plain: (v: Vec | null) => (v ? plainText(v, d) : ''),
    plainv: (v: Value) => plainText(v, d),
    prodmat: (cells: { row: [Num, Num][] }[]) => productMatrix(cells.map((c) => c.row), d),
    /** cat 'a' 'b' → 'ab' (dynamic partial names) */
    cat: (...args: unknown[]) => args.slice(0, -1).join(''),
    /** list a b c → [a, b, c] */
    list: (...args: unknown[]) => args.slice(0, -1),
    last: (xs: unknown[], i: number) => i === xs.length - 1,
    isZero: (x: Num) => x.v.isZero(),
    isOne: (x: Num) => x.exact && x.v.eq(1),
    or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
    and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
    not: (x: unknown) => !x,
    plural: (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`,
    hashOf: (opts: Hash) => opts.hash,
  };
  for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn as HandlebarsNs.HelperDelegate);
  // each template: its source to compile, or its precompiled spec
  const templates = new Map<string, string | TemplateSpec>(built ? Object.entries(built) : builtinSources(format));
  if (overrides !== null) {
    for (const [name, src, file] of readOverrides(overrides, format, [...templates.keys()])) {
      try {
        hb.parse(src);
      } catch (e) {
        throw InputError.one(file, null, `not a valid Handlebars template: ${(e as Error).message.split('\n')[0]}`);
      }
      templates.set(name, src);
    }
  }
  const make = (t: string | TemplateSpec) => (typeof t === 'string' ? hb.compile(t, COMPILE_OPTIONS) : hb.template(t));
  const main = templates.get(mainName);
  if (main === undefined) throw new Error(`templates/${format}/${mainName}.hbs is missing`);
  for (const [name, t] of templates) if (name !== mainName) hb.registerPartial(name, make(t));
  const render = make(main);
  if (overrides === null) rendererCache.set(key, render);
  return render;
}

const rendererCache = new Map<string, (data: object) => string>();

/**
 * templates/<format>/*.hbs by name. A partial used inside a line has no final newline; one
 * used on a line of its own (Handlebars' "standalone" partial) ends with one.
 */
function builtinSources(format: string): [string, string][] {
  const dir = join(templatesDir(), format);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hbs'))
    .sort()
    .map((f) => [f.slice(0, -4), readFileSync(join(dir, f), 'utf8')]);
}

function readOverrides(root: string, format: string, known: string[]): [string, string, string][] {
  let dir = root;
  try {
    if (!statSync(root).isDirectory()) throw InputError.one('--templates', null, `${root} is not a directory`);
    if (existsSync(join(root, format)) && statSync(join(root, format)).isDirectory()) dir = join(root, format);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw InputError.one('--templates', null, `cannot read ${root}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  const out: [string, string, string][] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.hbs')).sort()) {
    const name = f.slice(0, -4);
    const file = join(dir, f);
    if (!known.includes(name)) {
      throw InputError.one(file, null, `there is no ${format} template named "${name}"${didYouMean(name, known)}; see the README for the list`);
    }
    out.push([name, readFileSync(file, 'utf8'), file]);
  }
  return out;
}