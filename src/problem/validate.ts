// Tree → Problem. Every problem found is collected (file, position, field, what is wrong,
// what is expected) and reported together; a Problem is returned only when there are none.
import { NumberSyntaxError, type Numeric, type Num } from '../numeric/index.js';
import { cells, headParams, type ParamSpec } from '../engine/cells/index.js';
import { layerUnits } from '../engine/stacked.js';
import type { Mat, Vec } from '../trace/types.js';
import { InputError, didYouMean, closest, type InputProblem, type Position } from './errors.js';
import { parseSource, readSourceText, type Tree } from './source.js';
import { generatorKind, type GeneratorKind } from './generators.js';
import type { Example, Problem } from './types.js';

/**
 * Sizes beyond these make a worked solution nobody can read; refuse them early. The
 * environment can raise them: UNROLLED_MAX_SIZE (hidden size, input and output dimension)
 * and UNROLLED_MAX_STEPS (timesteps per example, examples per file).
 */
export const LIMITS = limitsFrom(process.env);

export function limitsFrom(env: NodeJS.ProcessEnv): { hidden: number; inputDim: number; outputDim: number; timesteps: number; examples: number; layers: number } {
  const raise = (name: string, dflt: number) => {
    const v = env[name];
    return v && /^\d{1,6}$/.test(v.trim()) && Number(v) > dflt ? Number(v) : dflt;
  };
  const size = raise('UNROLLED_MAX_SIZE', 64);
  const steps = raise('UNROLLED_MAX_STEPS', 256);
  return { hidden: size, inputDim: size, outputDim: size, timesteps: steps, examples: steps, layers: 4 };
}

/** How to get past a size limit, for its message. */
const SIZE_HINT = ' (a worked solution that size is more than anyone reads; set the environment variable UNROLLED_MAX_SIZE to raise the limit)';
const STEPS_HINT = ' (set the environment variable UNROLLED_MAX_STEPS to raise the limit)';

const TOP = ['title', 'model', 'embeddings', 'params', 'head', 'data', 'initial_state', 'training'];
const MODEL = ['cell', 'hidden_size', 'input_size', 'convention', 'layers', 'bidirectional'];
const HEAD = ['activation', 'loss', 'output_at', 'output_size'];
const TRAINING = ['reduction', 'truncate', 'clip_norm', 'learning_rate', 'train_embeddings'];
const EXAMPLE = ['text', 'inputs', 'target'];

export function loadProblem(file: string, n: Numeric): Problem {
  return validate(parseSource(readSourceText(file, 'problem'), file), file, n);
}

class Checker {
  readonly problems: InputProblem[] = [];
  constructor(
    readonly file: string,
    readonly n: Numeric,
  ) {}

  fail(field: string | null, message: string, pos: Position | null): null {
    this.problems.push({ file: this.file, field, pos, message });
    return null;
  }

  map(t: Tree | undefined, field: string, allowed: string[], parentPos: Position | null): Map<string, Tree> | null {
    if (!t) return this.fail(field, 'missing section', parentPos);
    if (t.kind !== 'map') return this.fail(field, `expected a mapping of ${allowed.join(', ')}, got ${describe(t)}`, t.pos);
    for (const [k, v] of t.entries) {
      if (!allowed.includes(k)) {
        this.fail(`${field ? field + '.' : ''}${k}`, `unknown field${didYouMean(k, allowed)}; expected one of ${allowed.join(', ')}`, v.pos ?? t.pos);
      }
    }
    return t.entries;
  }

  number(t: Tree | undefined, field: string, parentPos: Position | null): Num | null {
    if (!t) return this.fail(field, 'missing, expected a number', parentPos);
    const text = t.kind === 'num' ? t.text : t.kind === 'str' ? t.value : null;
    if (text === null) return this.fail(field, `expected a number, got ${describe(t)}`, t.pos);
    try {
      return this.n.parse(text);
    } catch (e) {
      if (e instanceof NumberSyntaxError) return this.fail(field, e.message, t.pos);
      throw e;
    }
  }

  vector(t: Tree | undefined, field: string, len: number | null, what: string, parentPos: Position | null): Vec | null {
    if (!t) return this.fail(field, `missing, expected ${what}`, parentPos);
    if (t.kind !== 'seq') return this.fail(field, `expected ${what} (a list of numbers), got ${describe(t)}`, t.pos);
    if (t.items.length === 0) return this.fail(field, `expected ${what}, got an empty list`, t.pos);
    if (len !== null && t.items.length !== len) return this.fail(field, `has ${count(t.items.length, 'entry', 'entries')}, expected ${what}`, t.pos);
    const out = t.items.map((x, i) => this.number(x, `${field}[${i + 1}]`, t.pos));
    return out.every((x) => x !== null) ? (out as Vec) : null;
  }

  matrix(t: Tree | undefined, field: string, rows: number, cols: number | null, what: string, parentPos: Position | null): Mat | null {
    if (!t) return this.fail(field, `missing, expected ${what}`, parentPos);
    if (t.kind !== 'seq' || t.items.length === 0 || t.items.some((r) => r.kind !== 'seq')) {
      return this.fail(field, `expected ${what} (a list of rows, each a list of numbers), got ${describe(t)}`, t.pos);
    }
    const width = cols ?? (t.items[0] as Extract<Tree, { kind: 'seq' }>).items.length;
    if (t.items.length !== rows) {
      return this.fail(field, `has ${count(t.items.length, 'row', 'rows')}, expected ${what}`, t.pos);
    }
    const out = t.items.map((r, i) => this.vector(r, `${field}[${i + 1}]`, width, `${width} (the matrix is ${what})`, t.pos));
    return out.every((x) => x !== null) ? (out as Mat) : null;
  }

  choice<T extends string>(t: Tree | undefined, field: string, allowed: readonly T[], dflt: T | null, parentPos: Position | null): T | null {
    if (!t) return dflt ?? this.fail(field, `missing, expected one of ${allowed.join(', ')}`, parentPos);
    if (t.kind !== 'str') return this.fail(field, `expected one of ${allowed.join(', ')}, got ${describe(t)}`, t.pos);
    if (!allowed.includes(t.value as T)) {
      return this.fail(field, `unknown value "${t.value}"${didYouMean(t.value, allowed)}; expected one of ${allowed.join(', ')}`, t.pos);
    }
    return t.value as T;
  }

  /** `hint`: said when the number is above `max` (how to raise a limit) */
  integer(t: Tree | undefined, field: string, min: number, max: number, parentPos: Position | null, hint = ''): number | null {
    if (!t) return this.fail(field, `missing, expected an integer from ${min} to ${max}`, parentPos);
    if (t.kind !== 'num' || !/^\+?\d+$/.test(t.text)) return this.fail(field, `expected a whole number, got ${describe(t)}`, t.pos);
    const v = Number(t.text);
    if (v < min || v > max) return this.fail(field, `${v} is out of range: expected ${min} to ${max}${v > max ? hint : ''}`, t.pos);
    return v;
  }

  bool(t: Tree | undefined, field: string, dflt: boolean): boolean {
    if (!t) return dflt;
    if (t.kind !== 'bool') {
      this.fail(field, `expected true or false, got ${describe(t)}`, t.pos);
      return dflt;
    }
    return t.value;
  }
}

function describe(t: Tree): string {
  switch (t.kind) {
    case 'map': {
      // a handout spec's generator in a problem file given to solve or check
      const g = ['random', 'choice', 'pick'].find((k) => t.entries.has(k));
      return g ? `a generator ({${g}: …}), which only unrolled handout fills in; give the numbers themselves` : 'a mapping';
    }
    case 'seq':
      return `a list of ${t.items.length}`;
    case 'num':
      return `the number ${t.text}`;
    case 'str':
      return `the text "${t.value.length > 40 ? t.value.slice(0, 40) + '…' : t.value}"`;
    case 'bool':
      return String(t.value);
    case 'null':
      return 'nothing';
  }
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const shapeText = (s: ParamSpec['shape']) => (s.length === 2 ? `${s[0]}×${s[1]}` : `${s[0]}`);

/** A generator of a handout spec: {random: …}, {choice: [...]} or {pick: N, from: [...]}. */
function generator(t: Tree, path: string): GeneratorKind | null {
  if (t.kind !== 'map') return null;
  return generatorKind((key) => {
    const v = t.entries.get(key);
    return v ? (v.kind === 'seq' ? 'list' : 'other') : undefined;
  }, path);
}

/** A handout spec given to solve or check: one line per generator, saying what to do instead. */
function handoutSpec(root: Tree, c: Checker): void {
  if (root.kind !== 'map') return;
  const found: { path: string; kind: string; pos: Position | null }[] = [];
  const walk = (t: Tree, path: string) => {
    const g = generator(t, path);
    if (g) found.push({ path, kind: g, pos: t.pos });
    else if (t.kind === 'map') for (const [k, v] of t.entries) walk(v, path ? `${path}.${k}` : k);
    else if (t.kind === 'seq') t.items.forEach((x, i) => walk(x, `${path}[${i + 1}]`));
  };
  walk(root, '');
  const q = root.entries.get('questions');
  if (!found.length && !q) return;
  const hint = 'this is a handout spec: make problems from it with unrolled handout (see the README), or give numbers here';
  for (const g of found) c.fail(g.path, `is a generator ({${g.kind}: …}); ${hint}`, g.pos);
  if (q && !found.length) c.fail('questions', 'belongs to a handout spec (unrolled handout), not to a problem file; remove it', q.pos);
}

export function validate(root: Tree, file: string, n: Numeric): Problem {
  const c = new Checker(file, n);
  const bail = () => {
    throw new InputError(c.problems);
  };
  if (root.kind !== 'map') {
    c.fail(null, `expected a problem (a mapping with model, params, head, data), got ${describe(root)}`, root.pos);
    bail();
  }
  handoutSpec(root, c);
  if (c.problems.length) bail();
  const top = c.map(root, '', TOP, null)!;
  const rootPos = root.pos;

  // title
  let title: string | null = null;
  const titleT = top.get('title');
  if (titleT) {
    if (titleT.kind === 'str' || titleT.kind === 'num') title = titleT.kind === 'str' ? titleT.value : titleT.text;
    else c.fail('title', `expected text, got ${describe(titleT)}`, titleT.pos);
  }

  // model
  const model = c.map(top.get('model'), 'model', MODEL, rootPos);
  const modelPos = top.get('model')?.pos ?? rootPos;
  const cellName = model ? c.choice(model.get('cell'), 'model.cell', ['rnn', 'lstm', 'gru'] as const, null, modelPos) : null;
  const H = model ? c.integer(model.get('hidden_size'), 'model.hidden_size', 1, LIMITS.hidden, modelPos, SIZE_HINT) : null;
  const convention = model ? c.choice(model.get('convention'), 'model.convention', ['textbook', 'pytorch'] as const, 'textbook', modelPos) : null;
  // stacked layers and directions (DESIGN §5): a parameter or initial state of layer k, reverse
  // direction, is its base name + `_l<k>` (optional for k = 0) + `_reverse`
  const layers = (model?.get('layers') ? c.integer(model.get('layers'), 'model.layers', 1, LIMITS.layers, modelPos) : 1) ?? 1;
  const bidirectional = model ? c.bool(model.get('bidirectional'), 'model.bidirectional', false) : false;
  const dirs = bidirectional ? 2 : 1;
  const units = layerUnits(layers, bidirectional);

  // head
  const head = c.map(top.get('head'), 'head', HEAD, rootPos);
  const headPos = top.get('head')?.pos ?? rootPos;
  const activation = head ? c.choice(head.get('activation'), 'head.activation', ['sigmoid', 'softmax', 'identity'] as const, null, headPos) : null;
  const loss = head ? c.choice(head.get('loss'), 'head.loss', ['bce', 'cross_entropy', 'mse'] as const, null, headPos) : null;
  const outputAt = head ? c.choice(head.get('output_at'), 'head.output_at', ['last', 'every'] as const, 'last', headPos) : null;
  if (activation && loss) {
    if (loss === 'bce' && activation !== 'sigmoid') c.fail('head', `loss bce needs activation sigmoid (probabilities in (0, 1)), got ${activation}`, headPos);
    if (loss === 'cross_entropy' && activation !== 'softmax') c.fail('head', `loss cross_entropy needs activation softmax (a probability distribution), got ${activation}`, headPos);
  }

  // embeddings
  const embT = top.get('embeddings');
  const embeddings = new Map<string, Vec>();
  let D: number | null = null;
  if (embT) {
    if (embT.kind !== 'map' || embT.entries.size === 0) c.fail('embeddings', `expected a mapping from token to vector, got ${describe(embT)}`, embT.pos);
    else {
      for (const [tok, v] of embT.entries) {
        if (/\s/.test(tok) || tok === '') {
          c.fail(`embeddings.${tok}`, 'a token cannot be empty or contain spaces (sentences are split on whitespace)', v.pos);
          continue;
        }
        const len = D;
        const vec = c.vector(v, `embeddings.${tok}`, len, len === null ? 'an embedding vector' : `${len} entries, like the first embedding`, embT.pos);
        if (vec) {
          D ??= vec.length;
          embeddings.set(tok, vec);
        }
      }
    }
  }

  // data (needs D for raw inputs; raw inputs may also define D)
  const dataT = top.get('data');
  const rawExamples: { tokens: string[] | null; inputs: Vec[] | null; target: Tree | undefined; field: string; pos: Position | null }[] = [];
  if (!dataT) c.fail('data', 'missing section, expected a list of examples (text or inputs, and target)', rootPos);
  else if (dataT.kind !== 'seq') c.fail('data', `expected a list of examples, got ${describe(dataT)}`, dataT.pos);
  else if (dataT.items.length === 0) c.fail('data', 'is empty, expected at least one example', dataT.pos);
  else if (dataT.items.length > LIMITS.examples) c.fail('data', `has ${dataT.items.length} examples, above the limit of ${LIMITS.examples}${STEPS_HINT}`, dataT.pos);
  else {
    dataT.items.forEach((item, i) => {
      const field = `data[${i + 1}]`;
      const m = c.map(item, field, EXAMPLE, dataT.pos);
      if (!m) return;
      const textT = m.get('text');
      const inputsT = m.get('inputs');
      if (textT && inputsT) c.fail(field, 'has both text and inputs, expected one of them', item.pos);
      else if (!textT && !inputsT) c.fail(field, 'needs text (a sentence) or inputs (a list of vectors)', item.pos);
      let tokens: string[] | null = null;
      let inputs: Vec[] | null = null;
      if (textT) {
        if (textT.kind !== 'str' && textT.kind !== 'num') c.fail(`${field}.text`, `expected a sentence, got ${describe(textT)}`, textT.pos);
        else {
          const words = (textT.kind === 'str' ? textT.value : textT.text).split(/\s+/).filter(Boolean);
          if (words.length === 0) c.fail(`${field}.text`, 'is empty, expected at least one token', textT.pos);
          else if (words.length > LIMITS.timesteps) c.fail(`${field}.text`, `has ${words.length} tokens, above the limit of ${LIMITS.timesteps}${STEPS_HINT}`, textT.pos);
          else if (!embT) c.fail('embeddings', `missing section: ${field}.text needs an embedding for every token`, rootPos);
          else {
            const unknown = [...new Set(words.filter((w) => !embeddings.has(w) && !(embT.kind === 'map' && embT.entries.has(w))))];
            for (const w of unknown) {
              const near = closest(w, embeddings.keys());
              c.fail(`${field}.text`, `unknown token "${w}": not in embeddings${near.length ? ` (close: ${near.map((x) => `"${x}"`).join(', ')})` : ''}`, textT.pos);
            }
            if (unknown.length === 0) {
              tokens = words;
              inputs = words.map((w) => embeddings.get(w)!).filter(Boolean);
              if (inputs.length !== words.length) inputs = null; // a bad embedding was reported already
            }
          }
        }
      }
      if (inputsT) {
        if (inputsT.kind !== 'seq' || inputsT.items.length === 0) c.fail(`${field}.inputs`, `expected a non-empty list of input vectors, got ${describe(inputsT)}`, inputsT.pos);
        else if (inputsT.items.length > LIMITS.timesteps) c.fail(`${field}.inputs`, `has ${inputsT.items.length} timesteps, above the limit of ${LIMITS.timesteps}${STEPS_HINT}`, inputsT.pos);
        else {
          const vs = inputsT.items.map((x, t) => {
            const len = D;
            const v = c.vector(x, `${field}.inputs[${t + 1}]`, len, len === null ? 'an input vector' : `${len} entries (the input dimension)`, inputsT.pos);
            if (v) D ??= v.length;
            return v;
          });
          if (vs.every((v) => v)) inputs = vs as Vec[];
        }
      }
      rawExamples.push({ tokens, inputs, target: m.get('target'), field, pos: item.pos });
    });
  }
  // model.input_size is optional: when given, it must agree with the vectors
  const inputSizeT = model?.get('input_size');
  if (inputSizeT) {
    const d = c.integer(inputSizeT, 'model.input_size', 1, LIMITS.inputDim, modelPos, SIZE_HINT);
    if (d !== null && D !== null && d !== D) c.fail('model.input_size', `is ${d}, but the ${embT ? 'embeddings have' : 'inputs have'} ${D} entries; make them agree`, inputSizeT.pos);
  }
  if (D !== null && D > LIMITS.inputDim) c.fail('embeddings', `input dimension ${D} is above the limit of ${LIMITS.inputDim}${SIZE_HINT}`, embT?.pos ?? rootPos);

  // params
  const paramsT = top.get('params');
  const params = new Map<string, Vec | Mat>();
  let O: number | null = null;
  const cell = cellName && convention ? cells[cellName][convention] : null;
  const paramNames = new Map<string, string>();
  if (!paramsT) c.fail('params', 'missing section', rootPos);
  else if (paramsT.kind !== 'map') c.fail('params', `expected a mapping from parameter name to matrix or vector, got ${describe(paramsT)}`, paramsT.pos);
  else if (cell && H !== null && D !== null) {
    const Wy = paramsT.entries.get('W_hy');
    if (Wy?.kind === 'seq' && Wy.items.length > 0) O = Wy.items.length;
    if (O !== null && O > LIMITS.outputDim) {
      c.fail('params.W_hy', `has ${O} rows (outputs), above the limit of ${LIMITS.outputDim}${SIZE_HINT}`, Wy!.pos);
      O = null;
    }
    const outputSizeT = head?.get('output_size');
    if (outputSizeT) {
      const o = c.integer(outputSizeT, 'head.output_size', 1, LIMITS.outputDim, headPos, SIZE_HINT);
      if (o !== null && O !== null && o !== O) c.fail('head.output_size', `is ${o}, but params.W_hy has ${count(O, 'row', 'rows')} (one per output); make them agree`, outputSizeT.pos);
    }
    // layer k > 0 reads the outputs of layer k − 1, both directions: dirs·H entries
    const inner = dirs === 2 ? '2·hidden_size' : 'hidden_size';
    const unitSpecs = units.flatMap((u) =>
      cell.params(H, u.layer === 0 ? D! : dirs * H).map((s) => ({ ...s, name: s.name + u.suffix, dims: (u.layer === 0 ? s.dims : s.dims.map((d) => d.replace('input dim', inner))) as ParamSpec['dims'] })),
    );
    const headSpecs = headParams(O ?? 1, dirs * H).map((s) => ({ ...s, dims: s.dims.map((d) => (dirs === 2 ? d.replace('hidden_size', inner) : d)) as ParamSpec['dims'] }));
    const specs = [...unitSpecs, ...headSpecs];
    const names = specs.map((s) => s.name);
    const explain = (s: ParamSpec) => `${shapeText(s.shape)} (${s.dims.join(' × ')})`;
    const which = `${cellName === 'gru' ? 'a' : 'an'} ${cellName} (${convention} convention)`; // an rnn, an lstm, a gru
    // a name may carry torch's layer suffix `_l0` (layer 0 is the only one without `model.layers`)
    const given = new Map<string, { key: string; tree: Tree }>();
    const cellNames = cell.params(H, D).map((s) => s.name);
    // the names of this cell in the other convention, for a clearer message than "did you mean"
    const other = convention === 'pytorch' ? 'textbook' : 'pytorch';
    const otherNames = cells[cellName!][other].params(H, D).map((s) => s.name);
    for (const [key, v] of paramsT.entries) {
      const layered = /^(.*?)(_l\d+)?(_reverse)?$/.exec(key)!;
      // the suffixes belong to the recurrent layers, not to the head; `_l0` is dropped
      const isCell = cellNames.includes(layered[1]!);
      const layer = layered[2] ? Number(layered[2].slice(2)) : 0;
      const base = isCell ? `${layered[1]!}${layer > 0 ? `_l${layer}` : ''}${layered[3] ?? ''}` : key;
      if (otherNames.includes(layered[1]!) && !names.includes(layered[1]!)) {
        c.fail(`params.${key}`, `is a ${other}-convention name, but this file has convention: ${convention}; expected ${names.join(', ')} (or set model.convention: ${other})`, v.pos ?? paramsT.pos);
      } else if (isCell && !names.includes(base)) {
        const why = layer >= layers
          ? `belongs to layer ${layer} (counting from 0), but the model has ${layers === 1 ? 'one layer (set model.layers)' : `${layers} layers (0 to ${layers - 1})`}`
          : 'belongs to a reverse direction, but the model is not bidirectional (set model.bidirectional: true)';
        c.fail(`params.${key}`, `${why}; expected ${names.join(', ')}`, v.pos ?? paramsT.pos);
      } else if (names.includes(base)) {
        const twice = given.get(base);
        if (twice) c.fail(`params.${key}`, `is the same parameter as params.${twice.key}; give it once`, v.pos ?? paramsT.pos);
        else given.set(base, { key, tree: v });
      } else {
        c.fail(`params.${key}`, `unknown parameter for ${which}${didYouMean(key, names)}; expected ${names.join(', ')}`, v.pos ?? paramsT.pos);
      }
    }
    for (const s of specs) {
      const g = given.get(s.name);
      const t = g?.tree;
      const field = `params.${g?.key ?? s.name}`;
      if (s.name === 'W_hy' && O === null && t) {
        c.fail(field, `expected a matrix with ${dirs * H} columns (outputs × ${dirs === 2 ? '2·' : ''}hidden_size), got ${describe(t)}`, t.pos);
        continue;
      }
      const v = s.shape.length === 2
        ? c.matrix(t, field, s.shape[0], s.shape[1], explain(s), paramsT.pos)
        : c.vector(t, field, s.shape[0], explain(s), paramsT.pos);
      if (v) {
        params.set(s.name, v);
        paramNames.set(s.name, g!.key);
      }
    }
  }

  // initial state
  const initial = new Map<string, { value: Vec; given: boolean }>();
  const initT = top.get('initial_state');
  // h0, h0_l1, c0_reverse, ...; layer 0 may be written h0_l0 (h0_l0_reverse)
  const stateNames = units.flatMap((u) => (cell?.state ?? ['h']).map((s) => ({ name: `${s}0${u.suffix}`, alias: u.layer === 0 ? `${s}0_l0${u.reverse ? '_reverse' : ''}` : null })));
  const init = initT ? c.map(initT, 'initial_state', stateNames.flatMap((s) => (s.alias ? [s.name, s.alias] : [s.name])), rootPos) : null;
  if (H !== null) {
    for (const { name: s, alias } of stateNames) {
      if (alias && init?.get(s) && init.get(alias)) c.fail(`initial_state.${alias}`, `is the same state as initial_state.${s}; give it once`, init.get(alias)!.pos);
      const key = init?.get(s) || !alias ? s : alias; // the name as the file writes it
      const t = init?.get(key);
      const v = t ? c.vector(t, `initial_state.${key}`, H, `${H} entries (hidden_size)`, initT!.pos) : null;
      initial.set(s, v ? { value: v, given: true } : { value: Array.from({ length: H }, () => n.zero), given: false });
    }
  }

  // training
  const trT = top.get('training');
  const tr = trT ? c.map(trT, 'training', TRAINING, rootPos) : null;
  const trPos = trT?.pos ?? rootPos;
  const reduction = tr ? c.choice(tr.get('reduction'), 'training.reduction', ['sum', 'mean'] as const, 'sum', trPos) : 'sum';
  const truncate = tr?.get('truncate') ? c.integer(tr.get('truncate'), 'training.truncate', 1, LIMITS.timesteps, trPos) : null;
  if (truncate !== null && bidirectional) {
    c.fail('training.truncate', 'cannot be used with model.bidirectional: true (truncating the reverse direction is not defined); remove one of them', tr!.get('truncate')!.pos);
  }
  const clipNorm = tr?.get('clip_norm') ? c.number(tr.get('clip_norm'), 'training.clip_norm', trPos) : null;
  if (clipNorm && clipNorm.v.lte(0)) c.fail('training.clip_norm', `must be positive, got ${clipNorm.v.toString()}`, tr!.get('clip_norm')!.pos);
  const learningRate = tr?.get('learning_rate') ? c.number(tr.get('learning_rate'), 'training.learning_rate', trPos) : null;
  if (learningRate && learningRate.v.lte(0)) c.fail('training.learning_rate', `must be positive, got ${learningRate.v.toString()}`, tr!.get('learning_rate')!.pos);
  const trainEmbeddings = tr ? c.bool(tr.get('train_embeddings'), 'training.train_embeddings', true) : true;

  // targets (need O, loss, output_at)
  const examples: Example[] = [];
  if (O !== null && loss && outputAt) {
    for (const ex of rawExamples) {
      if (!ex.inputs) continue;
      const T = ex.inputs.length;
      const field = `${ex.field}.target`;
      if (!ex.target) {
        c.fail(field, `missing, expected ${targetWhat(loss, O)}${outputAt === 'every' ? `, one per timestep (${T})` : ''}`, ex.pos);
        continue;
      }
      let targets: Example['targets'] | null = null;
      if (outputAt === 'last') {
        const y = parseTarget(c, ex.target, field, loss, O);
        if (y) targets = [{ t: T, ...y }];
      } else {
        const t = ex.target;
        if (t.kind !== 'seq' || t.items.length !== T) {
          c.fail(field, `expected a list of ${T} targets (output_at: every, one per timestep), got ${describe(t)}`, t.pos);
        } else {
          const ys = t.items.map((x, i) => parseTarget(c, x, `${field}[${i + 1}]`, loss, O!));
          if (ys.every((y) => y)) targets = ys.map((y, i) => ({ t: i + 1, ...y! }));
        }
      }
      if (targets) examples.push({ tokens: ex.tokens, inputs: ex.inputs, targets });
    }
  }

  if (c.problems.length) bail();
  return {
    file,
    title,
    cell: cellName!,
    convention: convention!,
    hidden: H!,
    layers,
    bidirectional,
    inputDim: D!,
    outputDim: O!,
    embeddings,
    params,
    paramNames,
    head: { activation: activation!, loss: loss!, outputAt: outputAt! },
    examples,
    initial,
    training: { reduction: reduction!, learningRate, trainEmbeddings, truncate, clipNorm },
  };
}

function targetWhat(loss: string, O: number): string {
  switch (loss) {
    case 'bce':
      return O === 1 ? 'a number from 0 to 1' : `a list of ${O} numbers from 0 to 1`;
    case 'cross_entropy':
      return `a class index from 0 to ${O - 1}, or a probability vector of ${O} entries`;
    default:
      return O === 1 ? 'a number' : `a vector of ${O} numbers`;
  }
}

function parseTarget(c: Checker, t: Tree, field: string, loss: string, O: number): { target: Vec; targetIndex: number | null } | null {
  const n = c.n;
  if (loss === 'cross_entropy' && t.kind === 'num') {
    if (!/^\+?\d+$/.test(t.text) || Number(t.text) >= O) {
      return c.fail(field, `class index ${t.text} is out of range: expected a whole number from 0 to ${O - 1}`, t.pos);
    }
    const k = Number(t.text);
    return { target: Array.from({ length: O }, (_, i) => (i === k ? n.one : n.zero)), targetIndex: k };
  }
  let y: Vec | null;
  if (t.kind === 'seq') y = c.vector(t, field, O, targetWhat(loss, O), null);
  else if (O === 1) {
    const x = c.number(t, field, null);
    y = x ? [x] : null;
  } else return c.fail(field, `expected ${targetWhat(loss, O)}, got ${describe(t)}`, t.pos);
  if (!y) return null;
  if (loss === 'bce' && y.some((v) => v.v.lt(0) || v.v.gt(1))) return c.fail(field, `expected ${targetWhat(loss, O)} (bce), got a value outside [0, 1]`, t.pos);
  if (loss === 'cross_entropy') {
    const s = n.sum(y);
    if (y.some((v) => v.v.lt(0)) || s.v.minus(1).abs().gt('1e-12')) {
      return c.fail(field, `expected a probability vector (entries ≥ 0 summing to 1), got entries summing to ${s.v.toString()}`, t.pos);
    }
  }
  return { target: y, targetIndex: null };
}
