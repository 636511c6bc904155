// Reading a problem file into a tree that keeps every number's source text, so that
// `0.1` stays the decimal 0.1 and never passes through a binary float.
import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, type Node, type Document } from 'yaml';
import { InputError, type Position } from './errors.js';

export type Tree =
  | { kind: 'map'; entries: Map<string, Tree>; pos: Position | null }
  | { kind: 'seq'; items: Tree[]; pos: Position | null }
  | { kind: 'num'; text: string; pos: Position | null }
  | { kind: 'str'; value: string; pos: Position | null }
  | { kind: 'bool'; value: boolean; pos: Position | null }
  | { kind: 'null'; pos: Position | null };

/** Nodes visited at most (aliases expanded), against "billion laughs" files. */
const MAX_NODES = 200_000;
const MAX_DEPTH = 64;

/** The field path (`model.hidden_size`, `data[2].text`) of the innermost entry spanning `offset`. */
function fieldAt(root: unknown, offset: number): string | null {
  const within = (n: unknown) => {
    const r = (n as Node | null)?.range;
    return !!r && r[0] <= offset && offset <= r[2];
  };
  let path = '';
  let node = root;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((it) => within(it.key) || within(it.value));
      if (!pair) break;
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      path = path ? `${path}.${k}` : k;
      node = within(pair.value) ? pair.value : null;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((it) => within(it));
      if (i < 0) break;
      path = `${path}[${i + 1}]`;
      node = node.items[i];
    } else break;
  }
  return path || null;
}

/**
 * The text of a problem or answers file (`what`, for messages), as UTF-8; every way it can
 * fail is one InputError line naming the file.
 */
export function readSourceText(file: string, what: string): string {
  try {
    if (statSync(file).isDirectory()) throw InputError.one(file, null, `is a directory, expected ${what === 'answers' ? 'an' : 'a'} ${what} file (.yaml or .json)`);
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw InputError.one(file, null, 'no such file');
    if (err.code === 'EACCES') throw InputError.one(file, null, 'permission denied');
    if (e instanceof TypeError) throw InputError.one(file, null, `is not UTF-8 text; save the ${what} file as UTF-8`);
    throw InputError.one(file, null, `cannot read: ${err.message}`);
  }
}

/** Where a YAML node starts in its file, or null (not a node, or one without a place). */
export function nodePosition(lc: LineCounter, n: unknown): Position | null {
  const r = (n as Node | null | undefined)?.range;
  return r ? lc.linePos(r[0]) : null;
}

export function parseSource(text: string, file: string): Tree {
  return parseSourceDocument(text, file).tree;
}

/**
 * The tree, and the YAML document it was read from with its line counter, for a reader that
 * edits the document itself (a handout spec); every check of parseSource applies.
 */
export function parseSourceDocument(text: string, file: string): { tree: Tree; doc: Document.Parsed; lc: LineCounter } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    // the parser's first syntax error is the one to fix: those after it are mostly its
    // echoes; duplicate keys are independent of each other and all reported
    const firstSyntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
    throw new InputError(
      doc.errors.filter((e) => e.code === 'DUPLICATE_KEY' || e === firstSyntax).map((e) => {
        // without prettyErrors the parser gives only offsets: turn them into line:col here
        const p = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
        const msg = e.code === 'DUPLICATE_KEY'
          ? 'duplicate key (each key may appear only once in a mapping)'
          : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return { file, field: fieldAt(doc.contents, e.pos[0]), pos: { line: p.line, col: p.col }, message: `invalid YAML/JSON: ${msg}` };
      }),
    );
  }
  let count = 0;
  const pos = (n: unknown): Position | null => nodePosition(lc, n);
  const walk = (n: unknown, depth: number, path: string): Tree => {
    if (++count > MAX_NODES) throw InputError.one(file, null, `more than ${MAX_NODES} values (aliases expanded); is this really a problem file?`);
    if (depth > MAX_DEPTH) throw InputError.one(file, path || null, `nested more than ${MAX_DEPTH} levels deep`, pos(n));
    if (n == null) return { kind: 'null', pos: null };
    if (isAlias(n)) return walk(n.resolve(doc as Document), depth + 1, path);
    if (isMap(n)) {
      const entries = new Map<string, Tree>();
      for (const item of n.items) {
        // a plain key keeps its text: the token `007` or `0.10` is not the number 7 or 0.1
        const k = isScalar(item.key) ? (item.key.type === 'PLAIN' && item.key.source !== undefined ? item.key.source : String(item.key.value)) : String(item.key);
        entries.set(k, walk(item.value, depth + 1, path ? `${path}.${k}` : k));
      }
      return { kind: 'map', entries, pos: pos(n) };
    }
    if (isSeq(n)) {
      return { kind: 'seq', items: n.items.map((x, i) => walk(x, depth + 1, `${path}[${i + 1}]`)), pos: pos(n) };
    }
    if (isScalar(n)) {
      const p = pos(n);
      const v = n.value;
      if (typeof v === 'number' || typeof v === 'bigint') {
        const src = n.range ? text.slice(n.range[0], n.range[1]) : String(v);
        return { kind: 'num', text: src, pos: p };
      }
      if (typeof v === 'boolean') return { kind: 'bool', value: v, pos: p };
      if (v == null) return { kind: 'null', pos: p };
      return { kind: 'str', value: String(v), pos: p };
    }
    return { kind: 'null', pos: null };
  };
  return { tree: walk(doc.contents, 0, ''), doc, lc };
}
