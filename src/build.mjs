// `npm run build` (run by `npm ci`): dist/ from src/, with esbuild.
//
// Start-up time is most of what a user waits for (`unrolled solve` of the seed does a few
// milliseconds of arithmetic), so the build does at build time what would otherwise
// happen at every start:
//   - every dependency is bundled: a handful of chunk files to load instead of hundreds of
//     files under node_modules/ to resolve and compile (katex, markdown-it and the full
//     Handlebars compiler stay outside: they are loaded only when a format needs them);
//   - every template of templates/ is precompiled: the bundle's src/render/precompiled.ts
//     holds the compiled templates, so rendering needs only the Handlebars runtime. From
//     source (the tests) that module is null and templates are compiled on first use;
//   - V8's code cache of each chunk is recorded (dist/<chunk>.js.cache) by running a few
//     commands once, so that a start skips parsing and compiling most of its code
//     (src/boot.ts loads the chunks with it).
// test/build.test.ts checks that the result writes what the source writes.
import { build, transformSync } from 'esbuild';
import Handlebars from 'handlebars';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// the options createRenderer compiles with from source (src/render/handlebars.ts)
const COMPILE_OPTIONS = JSON.parse(readFileSync(join(root, 'src', 'render', 'compile-options.json'), 'utf8'));

/** `export const precompiled = { md: { solution: <spec>, … }, tex: …, html: … }` */
function precompiledModule() {
  const formats = [];
  for (const format of readdirSync(join(root, 'templates')).sort()) {
    const dir = join(root, 'templates', format);
    const specs = readdirSync(dir)
      .filter((f) => f.endsWith('.hbs'))
      .sort()
      .map((f) => `${JSON.stringify(f.slice(0, -4))}: ${Handlebars.precompile(readFileSync(join(dir, f), 'utf8'), COMPILE_OPTIONS)}`);
    formats.push(`${JSON.stringify(format)}: {\n${specs.join(',\n')}\n}`);
  }
  return `export const precompiled = {\n${formats.join(',\n')}\n};\n`;
}

const precompiled = {
  name: 'precompiled-templates',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]render[\\/]precompiled\.ts$/ }, () => ({ contents: precompiledModule(), loader: 'js' }));
  },
};

/**
 * string-width (yargs lays out help with it) makes an Intl.Segmenter and the /^\p{RGI_Emoji}$/v
 * regular expression when it is loaded: the first Intl object of a process costs ~10 ms of
 * ICU start-up and that expression ~7 ms to parse, together a tenth of `unrolled solve`,
 * which never measures a string. Made on first use instead, they are paid by help only, and
 * the emoji expression only for text that has a character an emoji needs (a pictograph, an
 * emoji-presentation character, U+20E3 or U+FE0F: every RGI emoji has one): compiling it
 * took ~20 ms of `unrolled solve --help`, whose σ and ½ are no emoji. (package.json's
 * overrides give cliui and wrap-ansi the same string-width as yargs, 8.x, whose printable
 * ASCII needs no Intl at all: `unrolled --help` never starts ICU.) Should string-width
 * change these lines, they are left as they are.
 */
const LAZY = [
  ['new Intl.Segmenter()', '{ segment: (text) => (lazySegmenter ??= new Intl.Segmenter()).segment(text) }'],
  ['const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;', 'const rgiEmojiRegex = { test: (text) => (lazyEmoji ??= /[\\p{Extended_Pictographic}\\p{Emoji_Presentation}\\u20E3\\uFE0F]/u).test(text) && (lazyRgiEmoji ??= /^\\p{RGI_Emoji}$/v).test(text) };'],
];
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/](?:.*[\\/])?string-width[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const contents = LAZY.reduce((t, [from, to]) => t.replaceAll(from, () => to), text);
      return { contents: contents === text ? text : `let lazySegmenter, lazyEmoji, lazyRgiEmoji;\n${contents}`, loader: 'js' };
    });
  },
};

/**
 * yargs's platform shim imports node:assert for checks of its own state, which it makes on
 * every run: loading node:assert (and the AssertionError and colour support it brings) took
 * 2.5 ms of every start. The checks are made here instead (node:assert compares with
 * Object.is too), and node:assert is loaded only to throw its error when one fails. Should
 * the shim change this line, it is left as it is.
 */
const ASSERT_IMPORT = "import { notStrictEqual, strictEqual } from 'assert'";
const lazyAssert = {
  name: 'lazy-assert',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const lazy = [
        "import { createRequire as lazyAssertRequire } from 'node:module'",
        "const lazyAssert = () => lazyAssertRequire(import.meta.url)('node:assert')",
        'const notStrictEqual = (a, b, message) => { if (Object.is(a, b)) lazyAssert().notStrictEqual(a, b, message) }',
        'const strictEqual = (a, b, message) => { if (!Object.is(a, b)) lazyAssert().strictEqual(a, b, message) }',
      ].join('\n');
      return { contents: text.replace(ASSERT_IMPORT, () => lazy), loader: 'js' };
    });
  },
};

/** The defaults of the tier-up thresholds this V8 has, as `node --v8-options` lists them. */
function tieringDefaults() {
  const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout ?? '';
  const defaults = {};
  for (const m of options.matchAll(/^\s+type: int\s+default: --([a-z-]+)=(\d+)$/gm)) defaults[m[1]] = Number(m[2]);
  const chosen = 'interrupt-budget' in defaults ? ['interrupt-budget'] : ['invocation-count-for-turbofan', 'invocation-count-for-maglev'];
  return Object.fromEntries(chosen.filter((f) => f in defaults).map((f) => [f, defaults[f]]));
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
// 1. the application, as ES modules split into chunks (esbuild tree-shakes and splits only
//    ES modules), kept in memory
const app = await build({
  absWorkingDir: root,
  entryPoints: { 'entry-cli': 'src/cli.ts', 'entry-handout-worker': 'src/run/handout-worker.ts' },
  outdir: 'dist',
  write: false,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [precompiled, lazyStringWidth, lazyAssert],
  logLevel: 'warning',
});
// 2. each chunk as CommonJS, which V8's code cache works for in Node 20 (src/boot.ts loads
//    them); import.meta.url becomes a parameter of the module wrapper. Without whitespace
//    and with shorter syntax, the chunks `unrolled solve` loads are 1.0 instead of 1.5 MB of
//    source to read and hand to V8: 3 to 5 ms of its 100 (A/B of alternating runs, 2026-11-22).
//    Names are kept, so that a stack trace (--debug) still names its functions: renaming
//    them too (esbuild's minifyIdentifiers) would save only about 1 ms more.
mkdirSync(join(root, 'dist', 'run'), { recursive: true });
writeFileSync(join(root, 'dist', 'package.json'), '{ "type": "commonjs" }\n');
for (const file of app.outputFiles) {
  const cjs = transformSync(file.text.replace(/^#!.*\n/, ''), {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    define: { 'import.meta.url': '__import_meta_url' },
    supported: { 'dynamic-import': false },
    minifyWhitespace: true,
    minifySyntax: true,
  });
  writeFileSync(file.path, cjs.code);
}
// 3. the loader, and the two ways in: the command line and a handout worker thread
await build({ absWorkingDir: root, entryPoints: ['src/boot.ts'], outfile: 'dist/boot.js', bundle: true, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning' });
writeFileSync(join(root, 'dist', 'cli.js'), "#!/usr/bin/env node\n'use strict';\nrequire('./boot.js').start(require('node:path').join(__dirname, 'entry-cli.js'));\n", { mode: 0o755 });
writeFileSync(join(root, 'dist', 'run', 'handout-worker.js'), "'use strict';\nrequire('../boot.js').start(require('node:path').join(__dirname, '..', 'entry-handout-worker.js'), 'worker');\n");
// 4. V8's tier-up thresholds, which src/boot.ts scales: the flags this V8 has, with their
//    defaults (--interrupt-budget up to V8 11; the invocation counts for TurboFan and Maglev
//    since V8 12, when Maglev came on; V8 11 knows the Maglev count but has Maglev off)
writeFileSync(join(root, 'dist', 'v8-flags.json'), JSON.stringify({ v8: process.versions.v8, defaults: tieringDefaults() }) + '\n');
// 5. the code caches: what these commands compile, recorded run after run
const work = mkdtempSync(join(tmpdir(), 'unrolled-build-'));
try {
  const seed = 'fixtures/seed-rnn-sentiment.yaml';
  const runs = [
    ['--help'],
    ['solve', seed, '--out', work],
    ['solve', seed, '--format', 'json', '--out', work],
    ['solve', seed, '--format', 'tex', '--out', work],
    ['solve', seed, '--format', 'html', '--out', work],
    ['check', seed, 'fixtures/seed-rnn-hand-answers.yaml'],
    ['handout', 'fixtures/handout/rnn-spec.yaml', '--count', '2', '--jobs', '1', '--out', join(work, 'handout')],
    ['init', '--out', '-'],
  ];
  for (const args of runs) {
    const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, UNROLLED_CODE_CACHE: 'write' } });
    // check exits 1 when an answer is wrong; anything else means the build is broken
    if (r.status !== 0 && !(args[0] === 'check' && r.status === 1)) throw new Error(`dist/cli.js ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
