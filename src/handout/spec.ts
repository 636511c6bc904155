// A handout spec: a problem file in which numbers may be generators, plus `questions:`.
// A variant for one student is the spec with every generator drawn from seeds made of
// (the teacher's seed, the student id, the place in the file) — so a student's numbers
// never depend on the roster's order — written back as a normal problem file. The spec's
// own YAML document is edited, so its comments and layout survive in every variant.
//
// Generators:
//   {random: {min: -0.5, max: 0.5, decimals: 1, nonzero: false}}   (every key optional)
//       numbers on a decimal grid, shaped by where the generator stands: all of `params`
//       or one parameter, all of `embeddings` (the tokens of the variant's sentences) or
//       one token, all of `initial_state` or one state, an example's `target`
//   {choice: [a, b, ...]}          one of the alternatives, anywhere (a sentence, a target)
//   {pick: N, from: [a, b, ...]}   N distinct alternatives in their listed order (examples)
import { isMap, isScalar, isSeq, LineCounter, Pair, Scalar, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';
import { cells } from '../engine/cells/index.js';
import { layerUnits, networkParams } from '../engine/stacked.js';
import { InputError, didYouMean, type InputProblem, type Position } from '../problem/errors.js';
import { generatorKind as kindOf, type GeneratorKind } from '../problem/generators.js';
import { nodePosition, parseSourceDocument, readSourceText } from '../problem/source.js';
import { LIMITS } from '../problem/validate.js';
import { decimalGrid, Draw, MAX_DECIMALS, seedOf, type DecimalGrid } from '../generate/random.js';

export const DEFAULT_QUESTIONS = ['ex*.t*.h', 'loss', 'grad.*'];

export interface Question {
  /** as written: an id (`ex1.t2.h`), an entry (`ex1.t2.h[1]`) or a pattern with `*` */
  pattern: string;
  pos: Position | null;
}

export interface Spec {
  file: string;
  /** the spec as read */
  text: string;
  doc: Document.Parsed;
  lc: LineCounter;
  questions: Question[];
  /** the questions were not given: the defaults */
  defaultQuestions: boolean;
}

export interface Variant {
  /** the problem file of this variant */
  text: string;
  /** the seed every draw of this variant comes from */
  seed: number;
}

type Path = (string | number)[];
const pathText = (p: Path) => p.map((k, i) => (typeof k === 'number' ? `[${k + 1}]` : i === 0 ? k : `.${k}`)).join('');

export function readSpec(file: string): Spec {
  return parseSpec(readSourceText(file, 'handout spec'), file);
}

/** A spec from its text (a worker thread gets the text the main thread read). */
export function parseSpec(text: string, file: string): Spec {
  // YAML syntax, duplicate keys, depth and alias limits: reported as for any problem file
  const { doc, lc } = parseSourceDocument(text, file);
  const pos = (n: unknown): Position | null => nodePosition(lc, n);
  if (!isMap(doc.contents)) throw InputError.one(file, null, 'expected a handout spec: a problem file (model, params, head, data) in which numbers may be generators', pos(doc.contents));
  const problems: InputProblem[] = [];
  const questions: Question[] = [];
  const qNode = doc.contents.get('questions', true) as unknown;
  if (qNode !== undefined) {
    if (!isSeq(qNode) || qNode.items.length === 0) {
      problems.push({ file, field: 'questions', pos: pos(qNode), message: 'expected a list of quantity ids or patterns, e.g. [ex*.t*.h, loss, grad.*]' });
    } else {
      qNode.items.forEach((it, i) => {
        const v = isScalar(it) ? it.value : null;
        if (typeof v !== 'string' || !/^[A-Za-z0-9_.*\[\]\p{L}\p{N}+@'-]+$/u.test(v)) {
          problems.push({ file, field: `questions[${i + 1}]`, pos: pos(it), message: 'expected a quantity id (ex1.t3.h, grad.W_xh, ex1.t3.h[2]) or a pattern with * (ex*.t*.h)' });
        } else questions.push({ pattern: v, pos: pos(it) });
      });
    }
  }
  if (problems.length) throw new InputError(problems);
  return {
    file,
    text,
    doc,
    lc,
    questions: questions.length ? questions : DEFAULT_QUESTIONS.map((pattern) => ({ pattern, pos: null })),
    defaultQuestions: questions.length === 0,
  };
}

/** The seed of one student's variant. */
export function variantSeed(seed: string, id: string): number {
  return seedOf('unrolled handout', seed, id);
}

/** The generator a node is, or null (one rule with validation's: src/problem/generators.ts). */
function generatorKind(n: unknown, path: Path): GeneratorKind | null {
  if (!isMap(n)) return null;
  return kindOf((key) => (n.has(key) ? (isSeq(n.get(key, true)) ? 'list' : 'other') : undefined), pathText(path));
}

class Resolver {
  readonly problems: InputProblem[] = [];
  constructor(
    readonly spec: Spec,
    readonly seed: number,
  ) {}

  pos(n: unknown): Position | null {
    return nodePosition(this.spec.lc, n);
  }

  fail(path: Path, message: string, node: unknown): void {
    this.problems.push({ file: this.spec.file, field: pathText(path) || null, pos: this.pos(node), message });
  }

  draw(kind: string, path: Path): Draw {
    return new Draw(seedOf(this.seed, kind, pathText(path)));
  }

  /** Pass 1: every {choice} and {pick}, anywhere but inside a {random}. */
  choices(node: unknown, path: Path): unknown {
    const kind = generatorKind(node, path);
    if (kind === 'random') return node;
    if (kind === 'choice') {
      const m = node as YAMLMap;
      if (m.items.length !== 1) {
        this.fail(path, 'a {choice: [...]} generator has no other keys', node);
        return node;
      }
      const alts = (m.get('choice', true) as unknown as YAMLSeq).items;
      if (alts.length === 0) {
        this.fail([...path, 'choice'], 'is empty, expected at least one alternative', m.get('choice', true));
        return node;
      }
      const chosen = this.draw('choice', path).pick(alts);
      return this.choices(cloneNode(chosen), path);
    }
    if (kind === 'pick') {
      const m = node as YAMLMap;
      const extra = m.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '?')).filter((k) => k !== 'pick' && k !== 'from');
      const from = m.get('from', true);
      const nNode = m.get('pick', true);
      const count = isScalar(nNode) && typeof nNode.value === 'number' && Number.isInteger(nNode.value) ? nNode.value : null;
      if (extra.length) this.fail([...path, extra[0]!], `unknown field${didYouMean(extra[0]!, ['pick', 'from'])}; a {pick: N, from: [...]} generator has only pick and from`, node);
      else if (!isSeq(from) || from.items.length === 0) this.fail([...path, 'from'], 'expected a non-empty list of alternatives to pick from', from ?? node);
      else if (count === null || count < 1 || count > from.items.length) {
        this.fail([...path, 'pick'], `expected a whole number from 1 to ${from.items.length} (the length of from)`, nNode ?? node);
      } else {
        const picked = this.draw('pick', path).sample(from.items, count);
        const seq = new YAMLSeq();
        seq.items = picked.map((x, i) => this.choices(cloneNode(x), [...path, i]));
        return seq;
      }
      return node;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        pair.value = this.choices(pair.value, [...path, k]) as Node;
      }
    } else if (isSeq(node)) {
      node.items = node.items.map((x, i) => this.choices(x, [...path, i]));
    }
    return node;
  }

  /** The grid of a {random: …} generator; `defaults` differ for targets. */
  grid(node: YAMLMap, path: Path, defaults = { min: '-0.5', max: '0.5' }): DecimalGrid | null {
    const extraKeys = node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '?')).filter((k) => k !== 'random');
    if (extraKeys.length) {
      this.fail([...path, extraKeys[0]!], 'unknown field next to random; write {random: {min: …, max: …, decimals: …}}', node);
      return null;
    }
    const r = node.get('random', true) as unknown;
    const opts = new Map<string, Scalar>();
    const at = [...path, 'random'];
    if (isMap(r)) {
      for (const p of r.items) {
        const k = isScalar(p.key) ? String(p.key.value) : '?';
        const allowed = ['min', 'max', 'decimals', 'nonzero'];
        if (!allowed.includes(k)) this.fail([...at, k], `unknown field${didYouMean(k, allowed)}; expected min, max, decimals, nonzero`, p.key);
        else if (!isScalar(p.value)) this.fail([...at, k], 'expected a number', p.value);
        else opts.set(k, p.value);
      }
    } else if (!(isScalar(r) && (r.value === true || r.value === null))) {
      this.fail(at, 'expected {min: …, max: …, decimals: …} (each optional) or true', r);
      return null;
    }
    const text = (k: string, d: string) => {
      const s = opts.get(k);
      if (!s) return d;
      // the number's source text, so that 0.1 stays the decimal 0.1
      return s.source ?? String(s.value);
    };
    const decimalsNode = opts.get('decimals');
    const decimals = decimalsNode ? decimalsNode.value : 1;
    if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
      this.fail([...at, 'decimals'], `expected a whole number from 0 to ${MAX_DECIMALS}`, decimalsNode);
      return null;
    }
    const nz = opts.get('nonzero');
    if (nz && typeof nz.value !== 'boolean') {
      this.fail([...at, 'nonzero'], 'expected true or false', nz);
      return null;
    }
    const g = decimalGrid(text('min', defaults.min), text('max', defaults.max), decimals, nz?.value === true);
    if (typeof g === 'string') {
      this.fail(at, g, r);
      return null;
    }
    return g;
  }

  /** Pass 2: every {random} by the shape of the place it stands in. */
  randoms(root: YAMLMap): void {
    const get = (...p: Path): unknown => root.getIn(p, true);
    const value = (...p: Path): unknown => {
      const n = get(...p);
      return isScalar(n) ? n.value : undefined;
    };
    const cellName = value('model', 'cell');
    const convention = value('model', 'convention') ?? 'textbook';
    const H = value('model', 'hidden_size');
    const cell = typeof cellName === 'string' && typeof convention === 'string' ? cells[cellName as 'rnn']?.[convention as 'textbook'] : undefined;
    const sizeOk = (x: unknown, max: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= max;

    // the examples, after pass 1
    const dataNode = get('data');
    const examples = isSeq(dataNode) ? dataNode.items.filter((x): x is YAMLMap => isMap(x)) : [];
    const tokensOf = (ex: YAMLMap): string[] | null => {
      const t = ex.get('text');
      return typeof t === 'string' || typeof t === 'number' ? String(t).split(/\s+/).filter(Boolean) : null;
    };
    const lengthOf = (ex: YAMLMap): number | null => {
      const toks = tokensOf(ex);
      if (toks) return toks.length;
      const inputs = ex.get('inputs', true);
      return isSeq(inputs) ? inputs.items.length : null;
    };

    // D: model.input_size, or a literal embedding or input vector
    const embNode = get('embeddings');
    let D: number | null = sizeOk(value('model', 'input_size'), LIMITS.inputDim) ? (value('model', 'input_size') as number) : null;
    if (D === null && isMap(embNode) && generatorKind(embNode, ['embeddings']) === null) {
      const lit = embNode.items.find((p) => isSeq(p.value));
      if (lit) D = (lit.value as YAMLSeq).items.length;
    }
    if (D === null) {
      for (const ex of examples) {
        const inputs = ex.get('inputs', true);
        if (isSeq(inputs) && isSeq(inputs.items[0])) {
          D = (inputs.items[0] as YAMLSeq).items.length;
          break;
        }
      }
    }

    // O: head.output_size, or the rows of a literal W_hy, or the targets
    const loss = value('head', 'loss');
    const every = value('head', 'output_at') === 'every';
    const paramsNode = get('params');
    let O: number | null = sizeOk(value('head', 'output_size'), LIMITS.outputDim) ? (value('head', 'output_size') as number) : null;
    const Wy = isMap(paramsNode) ? paramsNode.get('W_hy', true) : undefined;
    if (O === null && isSeq(Wy) && Wy.items.length) O = Wy.items.length;
    if (O === null) {
      // a target given as numbers: a vector has O entries; a number is one output (for
      // cross-entropy it is a class index, which does not tell the number of classes)
      for (const ex of examples) {
        const t = ex.get('target', true) as unknown;
        const one = every && isSeq(t) ? t.items[0] : t;
        if (isSeq(one)) O = one.items.length;
        else if (isScalar(one) && loss !== 'cross_entropy') O = 1;
        if (O !== null) break;
      }
      if (O === null && (loss === 'bce' || loss === 'mse')) O = 1;
    }

    const needD = (path: Path, node: unknown): number | null => {
      if (D === null) this.fail(path, 'needs the input dimension to draw embeddings: give model.input_size (or one embedding as numbers)', node);
      return D;
    };
    const modelProblem = (): boolean => {
      if (!sizeOk(H, LIMITS.hidden)) {
        if (!this.problems.some((p) => p.field === 'model.hidden_size')) {
          this.fail(['model', 'hidden_size'], `expected a whole number from 1 to ${LIMITS.hidden} (the shapes of the random numbers follow from it)`, get('model', 'hidden_size') ?? get('model'));
        }
        return true;
      }
      if (!cell) {
        if (!this.problems.some((p) => p.field === 'model')) {
          this.fail(['model'], 'expected cell: rnn, lstm or gru and convention: textbook or pytorch (the shapes of the random numbers follow from them)', get('model'));
        }
        return true;
      }
      return false;
    };
    const needHO = (path: Path, node: unknown): boolean => {
      if (modelProblem()) return false;
      if (O === null) {
        this.fail(path, 'needs the number of outputs to draw the head: give head.output_size (the number of classes)', node);
        return false;
      }
      return true;
    };

    /** A mapping section: a {random} for all of it (`all` gives its entries), or for one entry (`one`). */
    const section = (name: string, all: (node: unknown) => [string, readonly number[]][] | null, one: (key: string, node: unknown) => readonly number[] | null) => {
      const node = get(name);
      if (generatorKind(node, [name]) === 'random') {
        const g = this.grid(node as YAMLMap, [name]);
        const entries = g && all(node);
        if (!entries) return;
        const draw = this.draw('random', [name]);
        const map = new YAMLMap();
        for (const [key, shape] of entries) map.items.push(new Pair(new Scalar(key), shaped(draw, g, shape)));
        root.set(name, map);
      } else if (isMap(node)) {
        for (const pair of node.items) {
          const path = [name, isScalar(pair.key) ? String(pair.key.value) : ''];
          if (generatorKind(pair.value, path) !== 'random') continue;
          const g = this.grid(pair.value as YAMLMap, path);
          const shape = g && one(path[1]!, pair.value);
          if (shape) pair.value = shaped(this.draw('random', path), g, shape);
        }
      }
    };
    // stacked and bidirectional networks: every unit's parameters, suffixed (DESIGN §5)
    const layersValue = value('model', 'layers');
    const layers = typeof layersValue === 'number' && Number.isInteger(layersValue) && layersValue >= 1 && layersValue <= LIMITS.layers ? layersValue : 1;
    const bidirectional = value('model', 'bidirectional') === true;
    const paramShapes = (path: Path, node: unknown) =>
      needHO(path, node) && needD(path, node) !== null ? networkParams(cell!, H as number, D!, O!, layers, bidirectional) : null;
    section('params', (node) => paramShapes(['params'], node)?.map((p) => [p.name, p.shape]) ?? null, (key, node) => {
      // an unknown name gets no shape: validation says which names there are
      return paramShapes(['params', key], node)?.find((p) => p.name === key.replace(/_l0(?=(_reverse)?$)/, ''))?.shape ?? null;
    });
    const tokens = [...new Set(examples.flatMap((ex) => tokensOf(ex) ?? []))];
    section('embeddings', (node) => (needD(['embeddings'], node) === null ? null : tokens.map((t) => [t, [D!]])), (tok, node) => (needD(['embeddings', tok], node) === null ? null : [D!]));
    const states = layerUnits(layers, bidirectional).flatMap((u) => (cell?.state ?? ['h']).map((s) => `${s}0${u.suffix}`));
    section('initial_state', () => (modelProblem() ? null : states.map((s) => [s, [H as number]])), () => (modelProblem() ? null : [H as number]));

    // targets
    if (isSeq(dataNode)) {
      dataNode.items.forEach((ex, i) => {
        if (!isMap(ex)) return;
        const t = ex.get('target', true);
        const path: Path = ['data', i, 'target'];
        if (generatorKind(t, path) !== 'random') return;
        const probability = loss === 'bce';
        const g = loss === 'cross_entropy' ? null : this.grid(t as unknown as YAMLMap, path, probability ? { min: '0', max: '1' } : { min: '-0.5', max: '0.5' });
        if (loss !== 'cross_entropy' && !g) return;
        if (O === null) {
          this.fail(path, 'needs the number of outputs: give head.output_size', t);
          return;
        }
        if (g && probability && (g.lo < 0 || g.hi > 10 ** g.decimals)) {
          this.fail([...path, 'random'], 'bce targets are probabilities: min and max must lie from 0 to 1', t);
          return;
        }
        const draw = this.draw('random', path);
        const one = (): Node => (loss === 'cross_entropy' ? new Scalar(draw.int(0, O! - 1)) : O === 1 ? number(draw.decimal(g!)) : flowVector(draw.vector(g!, O!)));
        if (every) {
          const T = lengthOf(ex);
          if (T === null) return; // validation reports the example
          const seq = new YAMLSeq();
          seq.flow = true;
          seq.items = Array.from({ length: T }, one);
          ex.set('target', seq);
        } else ex.set('target', one());
      });
    }

    // anything left is in a place with no shape to follow
    const leftovers = (node: unknown, path: Path): void => {
      const kind = generatorKind(node, path);
      if (kind) {
        this.fail(path, kind === 'random'
          ? 'random numbers can be drawn for params, embeddings, initial_state and data targets (all of one, or one entry); give numbers here'
          : `a {${kind}} generator here could not be resolved`, node);
        return;
      }
      if (isMap(node)) for (const p of node.items) leftovers(p.value, [...path, isScalar(p.key) ? String(p.key.value) : '?']);
      else if (isSeq(node)) node.items.forEach((x, i) => leftovers(x, [...path, i]));
    };
    // (a generator already reported stays in place: say nothing more about it)
    if (!this.problems.length) for (const p of root.items) leftovers(p.value, [isScalar(p.key) ? String(p.key.value) : '?']);
  }
}

function cloneNode<T>(n: T): T {
  return n && typeof (n as { clone?: unknown }).clone === 'function' ? (n as unknown as { clone: () => T }).clone() : n;
}

/** A decimal as a YAML number when it reads back as the same text, else as a quoted string (still exact). */
function number(text: string): Scalar {
  const x = Number(text);
  return new Scalar(String(x) === text ? x : text);
}

function flowVector(xs: string[]): YAMLSeq {
  const seq = new YAMLSeq();
  seq.flow = true;
  seq.items = xs.map(number);
  return seq;
}

function shaped(draw: Draw, g: DecimalGrid, shape: readonly number[]): YAMLSeq {
  if (shape.length === 1) return flowVector(draw.vector(g, shape[0]!));
  const seq = new YAMLSeq();
  seq.items = draw.matrix(g, shape[0]!, shape[1]!).map(flowVector);
  return seq;
}

/**
 * One student's variant: the spec with every generator drawn, `questions` removed, and a
 * header comment saying where it came from. Errors in the generators are InputErrors at
 * their place in the spec.
 */
export function makeVariant(spec: Spec, seed: number, header: string): Variant {
  const doc = spec.doc.clone();
  const root = doc.contents as YAMLMap;
  root.delete('questions');
  const r = new Resolver(spec, seed);
  r.choices(root, []);
  if (!r.problems.length) r.randoms(root);
  if (r.problems.length) throw new InputError(r.problems);
  const own = spec.doc.commentBefore;
  doc.commentBefore = header.split('\n').map((l) => ` ${l}`).join('\n') + (own ? `\n${own}` : '');
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), seed };
}

/** The position in the spec of a field path such as `params.W_xh[2]` (the deepest part found). */
export function specPosition(spec: Spec, field: string | null): Position | null {
  let node: unknown = spec.doc.contents;
  let best: unknown = node;
  if (field) {
    for (const part of field.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
      const idx = /^\[(\d+)\]$/.exec(part);
      if (idx && isSeq(node)) node = node.items[Number(idx[1]) - 1];
      else if (!idx && isMap(node)) node = node.get(part, true);
      else break;
      if (!node) break;
      best = node;
    }
  }
  return nodePosition(spec.lc, best);
}
