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
// UNROLLED_CODE_CACHE=off ignores the caches (to measure what they save); =write records
// them at exit, adding to what earlier runs recorded (the build does this); =verify says on
// stderr, for each chunk loaded, whether V8 took its cache.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { isMainThread } from 'node:worker_threads';

interface Chunk {
  exports: unknown;
}

const mode = process.env.UNROLLED_CODE_CACHE ?? 'on';
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

if (mode === 'write' && isMainThread) {
  process.on('exit', () => {
    for (const [file, script] of scripts) writeFileSync(`${file}.cache`, script.createCachedData());
  });
}

/** Run an entry chunk of the bundle. */
export function start(entry: string): void {
  load(entry);
}
