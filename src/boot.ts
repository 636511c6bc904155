// How the built CLI starts (dist/boot.js, required by dist/cli.js and by the handout
// worker's dist/run/handout-worker.js).
//
// src/build.mjs bundles src/ into a few CommonJS chunk files, and runs a few commands once
// to record V8's code cache of each chunk next to it (<chunk>.cache): the compiled
// bytecode of every function those commands ran. A start then skips parsing and compiling
// almost all of the code it runs (about 40 of the 190 ms `unrolled solve` of the seed takes
// on the CI machine). A cache V8 does not accept (another Node version, other V8 flags) or a
// missing one only costs that time back: V8 compiles the source as usual.
//
// V8's optimizing compilers are told to wait about 16 times as much execution as usual
// before they consider a function. The code run for each problem is large and varied, and
// most of it runs only a few times per problem, so by default V8 kept compiling for as long
// as a batch ran: 100 handout variants on one thread kept a second core busy compiling
// (Node 20: 1.4 s of compiler time beside 1.8 s of work), and every further thread compiled
// it all again, so two threads were no faster than one. With the later start the hot
// arithmetic is still compiled, the compiler takes a fraction of the time, and a single
// `solve` is as fast as before (`npm run bench`). V8 has named these thresholds
// differently over time (--interrupt-budget up to V8 11, Node 20; the invocation counts
// for TurboFan and Maglev since V8 12, Node 22), and an unknown flag makes it print an
// error, so the build asks the V8 it runs under which flags it has and their defaults
// (dist/v8-flags.json); they are scaled only under that same V8. They are set before any
// chunk loads, because V8 takes a code cache only under the flags it was recorded with (the
// build records the caches under them). UNROLLED_TIERING=<factor> scales by another
// factor, =1 leaves V8's own.
//
// UNROLLED_CODE_CACHE=off ignores the caches (to measure what they save); =write records
// them at exit, adding to what earlier runs recorded (the build does this); =verify says on
// stderr, for each chunk loaded, whether V8 took its cache.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

interface Chunk {
  exports: unknown;
}

const mode = process.env.UNROLLED_CODE_CACHE ?? 'on';

/** How many times as much execution as usual V8 waits for before it considers optimizing a function. */
const TIERING = 16;

/** The build's record of V8's tier-up thresholds (src/build.mjs), or null if it is not there. */
function tieringFlags(): { v8: string; defaults: Record<string, number> } | null {
  try {
    return JSON.parse(readFileSync(join(__dirname, 'v8-flags.json'), 'utf8')) as { v8: string; defaults: Record<string, number> };
  } catch {
    return null;
  }
}

/** Scale V8's tier-up thresholds, under the V8 the build recorded them for. */
function setTiering(): void {
  const factor = Number(process.env.UNROLLED_TIERING ?? TIERING);
  const known = tieringFlags();
  if (known && known.v8 === process.versions.v8 && Number.isInteger(factor) && factor > 1 && factor <= 1000) {
    for (const [flag, value] of Object.entries(known.defaults)) setFlagsFromString(`--${flag}=${value * factor}`);
  }
}

const chunks = new Map<string, Chunk>();
const scripts: [file: string, script: Script][] = [];

/** Load a chunk of the bundle (once): its `./x.js` requires are chunks too. */
function load(file: string): unknown {
  const known = chunks.get(file);
  if (known) return known.exports;
  const chunk: Chunk = { exports: {} };
  chunks.set(file, chunk);
  const source = readFileSync(file, 'utf8');
  const cacheFile = `${file}.cache`;
  const cachedData = mode !== 'off' && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  // the wrapper of a CommonJS module, plus import.meta.url (src/build.mjs defines it so)
  const wrapper = `(function (exports, require, module, __filename, __dirname, __import_meta_url) {${source}\n})`;
  const script = new Script(wrapper, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (mode === 'verify') process.stderr.write(`code cache of ${basename(file)}: ${!cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`);
  scripts.push([file, script]);
  const dir = dirname(file);
  const nodeRequire = createRequire(file);
  const require = Object.assign((id: string) => (id.startsWith('./') && id.endsWith('.js') ? load(join(dir, id)) : nodeRequire(id)), {
    resolve: nodeRequire.resolve,
  });
  (script.runInThisContext() as (...args: unknown[]) => void).call(chunk.exports, chunk.exports, require, chunk, file, dir, pathToFileURL(file).href);
  return chunk.exports;
}

/**
 * Run an entry chunk of the bundle, on the main thread (the command line) or on a handout
 * worker thread. V8's flags are the process's: a worker runs under what the main thread
 * set, and only the main thread records the code caches. (Told by the caller rather than
 * by node:worker_threads, which `unrolled --help` would otherwise load for nothing.)
 */
export function start(entry: string, thread: 'main' | 'worker' = 'main'): void {
  if (thread === 'main') {
    setTiering();
    if (mode === 'write') {
      process.on('exit', () => {
        for (const [file, script] of scripts) writeFileSync(`${file}.cache`, script.createCachedData());
      });
    }
  }
  load(entry);
}
