// Reading an answers file (DESIGN §7): a YAML/JSON mapping of quantity ids, or of single
// entries such as `ex1.t3.h[2]` (1-based), to numbers, vectors or matrices. Numbers are
// read from their source text, so `0.309` is the decimal 0.309. The output of
// `unrolled solve --format json` (`{"quantities": {...}}`) is accepted as it is.
import { NumberSyntaxError, type Numeric, type Num } from '../numeric/index.js';
import { parseSource, readSourceText, type Tree } from '../problem/source.js';
import { closest, editDistance, InputError, type InputProblem, type Position } from '../problem/errors.js';
import type { Value } from '../trace/types.js';

/** One answered scalar. */
export interface Answer {
  /** entry id as reported: `ex1.t1.h[2]`, `grad.W_hh[1][3]`, `ex1.loss` */
  key: string;
  /** the quantity id */
  qid: string;
  /** 0-based indexes into the quantity ([] scalar, [i] vector, [i, j] matrix) */
  idx: number[];
  given: Num;
  /** the number as the student wrote it */
  text: string;
  /** decimal places the student wrote, null when that is not meaningful ("1/3") */
  places: number | null;
}

/** The shape of a quantity: [] scalar, [n] vector, [r, c] matrix. */
export function shapeOf(v: Value): number[] {
  return v.kind === 'scalar' ? [] : v.kind === 'vec' ? [v.x.length] : [v.x.length, v.x[0]?.length ?? 0];
}

/** Entry id of index path `idx` (0-based) of quantity `qid`. */
export function entryKey(qid: string, idx: number[]): string {
  return qid + idx.map((i) => `[${i + 1}]`).join('');
}

/** Every index path of a shape, row by row. */
export function indexPaths(shape: number[]): number[][] {
  if (shape.length === 0) return [[]];
  const [first, ...rest] = shape;
  const inner = indexPaths(rest);
  return Array.from({ length: first! }, (_, i) => inner.map((p) => [i, ...p])).flat();
}

export function entryOf(v: Value, idx: number[]): Num {
  if (v.kind === 'scalar') return v.x;
  if (v.kind === 'vec') return v.x[idx[0]!]!;
  return v.x[idx[0]!]![idx[1]!]!;
}

/** Decimal places of a decimal literal (`0.309` → 3, `-2.5e-3` → 4, `12` → 0). */
export function placesOf(text: string): number | null {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return null;
  return Math.max(0, (m[2]?.length ?? 0) - Number(m[3] ?? 0));
}

/** The `max` ids nearest to `word` (by edit distance), always some: for "unknown id" messages. */
export function nearestIds(word: string, ids: string[], max = 3): string[] {
  const near = closest(word, ids, max);
  if (near.length) return near;
  return ids
    .map((c) => ({ c, d: editDistance(word.toLowerCase(), c.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}

/** A quantity's shape in words: `a number`, `a vector of 3`, `a 2×3 matrix`. */
export const describeShape = (s: number[]) => (s.length === 0 ? 'a number' : s.length === 1 ? `a vector of ${s[0]}` : `a ${s[0]}×${s[1]} matrix`);

export function readAnswers(file: string, quantities: ReadonlyMap<string, Value>, n: Numeric): Answer[] {
  let tree = parseSource(readSourceText(file, 'answers'), file);
  if (tree.kind === 'map' && tree.entries.size === 1 && tree.entries.get('quantities')?.kind === 'map') tree = tree.entries.get('quantities')!;
  if (tree.kind !== 'map') {
    throw InputError.one(file, null, 'expected a mapping of quantity ids to numbers, e.g. `ex1.t1.h: [0.226, 0.310, 0.264]` or `ex1.t1.h[2]: 0.310`', tree.pos);
  }
  const problems: InputProblem[] = [];
  const fail = (field: string | null, message: string, pos: Position | null) => void problems.push({ file, field, pos, message });
  const ids = [...quantities.keys()];
  const out: Answer[] = [];
  const seen = new Map<string, string>();

  for (const [rawKey, node] of tree.entries) {
    const key = rawKey.trim();
    const m = /^(.+?)((?:\s*\[\s*\d+\s*\])*)$/.exec(key);
    const qid = m![1]!.trim();
    const given = [...m![2]!.matchAll(/\d+/g)].map((x) => Number(x[0]));
    const value = quantities.get(qid);
    if (!value) {
      fail(key, `unknown quantity id "${qid}"; nearest valid ids: ${nearestIds(qid, ids).join(', ')}`, node.pos);
      continue;
    }
    const shape = shapeOf(value);
    if (given.length > shape.length) {
      fail(key, `${qid} is ${describeShape(shape)}, so it takes ${shape.length === 0 ? 'no index' : shape.length === 1 ? 'one index, as in ' + qid + '[1]' : 'at most two indexes, as in ' + qid + '[1][2]'}`, node.pos);
      continue;
    }
    const bad = given.findIndex((i, k) => i < 1 || i > shape[k]!);
    if (bad >= 0) {
      fail(key, `index ${given[bad]} is out of range: ${qid} is ${describeShape(shape)} (indexes are 1-based)`, node.pos);
      continue;
    }
    const prefix = given.map((i) => i - 1);
    const rest = shape.slice(given.length);
    const add = (idx: number[], leaf: Tree) => {
      const k = entryKey(qid, idx);
      if (leaf.kind === 'null') return; // left blank: not answered
      let numText: string;
      if (leaf.kind === 'num') numText = leaf.text;
      else if (leaf.kind === 'str') numText = leaf.value;
      else return fail(k, `expected a number, got ${leaf.kind === 'bool' ? 'true/false' : leaf.kind === 'map' ? 'a mapping' : 'a list'}`, leaf.pos ?? node.pos);
      let num: Num;
      try {
        num = n.parse(numText);
      } catch (e) {
        if (e instanceof NumberSyntaxError) return fail(k, e.message, leaf.pos ?? node.pos);
        throw e;
      }
      const prev = seen.get(k);
      if (prev !== undefined) return fail(key, `${k} is answered twice (also under "${prev}")`, leaf.pos ?? node.pos);
      seen.set(k, key);
      out.push({ key: k, qid, idx, given: num, text: numText.trim(), places: placesOf(numText) });
    };
    // the value must have the shape that remains after the indexes; a one-element vector
    // may be written as a number, a number as a one-element list, a 1×c matrix as a flat list
    const walk = (t: Tree, idx: number[], dims: number[]): void => {
      if (dims.length === 0) {
        if (t.kind === 'seq' && t.items.length === 1 && t.items[0]!.kind !== 'seq') return add(idx, t.items[0]!);
        if (t.kind === 'seq') return fail(entryKey(qid, idx), 'expected a number, got a list', t.pos ?? node.pos);
        return add(idx, t);
      }
      if (t.kind !== 'seq') {
        if (dims.length === 1 && dims[0] === 1 && t.kind !== 'map') return add([...idx, 0], t);
        if (t.kind === 'null') return;
        return fail(key, `expected ${describeShape(dims)}${dims.length === shape.length ? ` (the shape of ${qid})` : ''}`, t.pos ?? node.pos);
      }
      if (dims.length === 2 && dims[0] === 1 && t.items.length === dims[1] && t.items.every((x) => x.kind !== 'seq')) {
        return t.items.forEach((x, j) => add([...idx, 0, j], x));
      }
      if (t.items.length !== dims[0]) {
        return fail(key, `expected ${describeShape(dims)}${dims.length === shape.length ? ` (the shape of ${qid})` : ''}, got a list of ${t.items.length}`, t.pos ?? node.pos);
      }
      t.items.forEach((x, i) => walk(x, [...idx, i], dims.slice(1)));
    };
    walk(node, prefix, rest);
  }
  if (problems.length) throw new InputError(problems);
  if (out.length === 0) throw InputError.one(file, null, 'no answers: expected a mapping of quantity ids to numbers, e.g. `ex1.t1.h[2]: 0.310`', tree.pos);
  return out;
}
