// The questions of a handout: ids, entries (`ex1.t3.h[2]`) and patterns (`ex*.t*.h`)
// matched against the quantities of a student's solved variant; how each is written on the
// sheet; the blank answers file on the sheet and the answers key (which `unrolled check`
// reads back).
import { Scalar, stringify, YAMLMap, YAMLSeq, Pair } from 'yaml';
import { show, type Numeric } from '../numeric/index.js';
import { InputError, type InputProblem } from '../problem/errors.js';
import { describeShape, entryOf, nearestIds, shapeOf } from '../check/answers.js';
import { makeSymbols } from '../render/symbols.js';
import { mathText } from '../render/latex.js';
import type { Trace, Value } from '../trace/types.js';
import type { Question } from './spec.js';

/** One quantity (or one entry of it) a student must compute. */
export interface Asked {
  /** as in an answers file: `ex1.t3.h` or `ex1.t3.h[2]` */
  key: string;
  /** the quantity id */
  qid: string;
  /** 0-based entry indexes, or null for the whole quantity */
  entry: number[] | null;
  value: Value;
}

const ENTRY = /^(.+?)((?:\[\d+\])+)$/;

/**
 * The quantities the questions ask for, in the order of the questions (and, within a
 * pattern, of the solution), each once. A question that matches nothing is an InputError
 * at its place in the spec; `who` names the student in the message.
 */
export function askedQuantities(questions: Question[], trace: Trace, specFile: string, who: string): Asked[] {
  const ids = [...trace.quantities.keys()];
  const out: Asked[] = [];
  const seen = new Set<string>();
  const problems: InputProblem[] = [];
  questions.forEach((q, i) => {
    const field = `questions[${i + 1}]`;
    const entry = q.pattern.includes('*') ? null : ENTRY.exec(q.pattern);
    if (entry) {
      const qid = entry[1]!;
      const value = trace.quantities.get(qid);
      const idx = [...entry[2]!.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]) - 1);
      const shape = value ? shapeOf(value) : [];
      if (!value || idx.length !== shape.length || idx.some((k, d) => k < 0 || k >= shape[d]!)) {
        problems.push({ file: specFile, field, pos: q.pos, message: value ? `"${q.pattern}" is not an entry of ${qid}, which is ${describeShape(shape)}` : noMatch(q.pattern, ids, who) });
        return;
      }
      if (!seen.has(q.pattern)) out.push({ key: q.pattern, qid, entry: idx, value });
      seen.add(q.pattern);
      return;
    }
    const re = new RegExp(`^${q.pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const matched = ids.filter((id) => re.test(id));
    if (matched.length === 0) problems.push({ file: specFile, field, pos: q.pos, message: noMatch(q.pattern, ids, who) });
    for (const id of matched) {
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ key: id, qid: id, entry: null, value: trace.quantities.get(id)! });
    }
  });
  if (problems.length) throw new InputError(problems);
  return out;
}

function noMatch(pattern: string, ids: string[], who: string): string {
  const near = nearestIds(pattern.replace(/\*/g, ''), ids);
  return `"${pattern}" matches no quantity of ${who}'s problem (near: ${near.join(', ')})`;
}

/** How a question is written on the sheet: its symbol (LaTeX) and where it belongs (words). */
export interface QuestionView {
  key: string;
  tex: string;
  words: string;
  size: string;
}

export function questionViews(asked: Asked[], trace: Trace): QuestionView[] {
  const S = makeSymbols(trace);
  const params = new Set(trace.params.map((p) => p.name));
  const emb = (tok: string) => `e(${mathText(tok)})`;
  const describe = (qid: string): { tex: string; words: string } => {
    let m = /^ex(\d+)\.t(\d+)\.(\w+)$/.exec(qid);
    if (m) {
      const [, n, t, name] = m;
      const where = `example ${n}, timestep ${t}`;
      if (name!.startsWith('d') && params.has(name!.slice(1))) {
        return { tex: `\\delta ${S.param(name!.slice(1))}^{[t=${t}]}`, words: `${where}: this timestep's part of the gradient` };
      }
      if (name!.startsWith('d')) return { tex: S.grad(qid), words: `${where}: the gradient of the example's loss` };
      return { tex: S.id(qid), words: where };
    }
    if ((m = /^ex(\d+)\.loss$/.exec(qid))) return { tex: `L^{(${m[1]})}`, words: `the loss of example ${m[1]}` };
    if ((m = /^ex(\d+)\.demb\.(.+)$/.exec(qid))) return { tex: `\\partial L^{(${m[1]})} / \\partial ${emb(m[2]!)}`, words: `example ${m[1]}: the gradient of its loss with respect to an embedding` };
    if ((m = /^ex(\d+)\.d(.+)$/.exec(qid))) return { tex: `\\partial L^{(${m[1]})} / \\partial ${S.param(m[2]!)}`, words: `example ${m[1]}: the gradient of its loss, summed over timesteps` };
    if (qid === 'loss') return { tex: '\\mathcal{L}', words: 'the loss of the batch' };
    if (qid === 'grad.norm') return { tex: '\\lVert \\nabla \\mathcal{L} \\rVert', words: 'the global norm of the parameter gradients' };
    if ((m = /^grad\.emb\.(.+)$/.exec(qid))) return { tex: `\\nabla_{${emb(m[1]!)}} \\mathcal{L}`, words: 'the batch gradient of an embedding' };
    if ((m = /^grad\.clipped\.(.+)$/.exec(qid))) return { tex: `\\tilde{\\nabla}_{${S.param(m[1]!)}} \\mathcal{L}`, words: 'the batch gradient after clipping' };
    if ((m = /^grad\.(.+)$/.exec(qid))) return { tex: `\\nabla_{${S.param(m[1]!)}} \\mathcal{L}`, words: 'the batch gradient' };
    if ((m = /^update\.emb\.(.+)$/.exec(qid))) return { tex: `${emb(m[1]!)}'`, words: 'the embedding after one gradient-descent step' };
    if ((m = /^update\.(.+)$/.exec(qid))) return { tex: `${S.param(m[1]!)}'`, words: 'the parameter after one gradient-descent step' };
    return { tex: `\\mathrm{${mathText(qid)}}`, words: '' };
  };
  return asked.map((a) => {
    const d = describe(a.qid);
    const shape = shapeOf(a.value);
    const entry = a.entry ? ` entry ${a.entry.map((k) => k + 1).join(', ')}` : '';
    const size = a.entry || shape.length === 0 ? 'a number' : shape.length === 1 ? `${shape[0]} ${shape[0] === 1 ? 'entry' : 'entries'}` : `${shape[0]}×${shape[1]}`;
    return { key: a.key, tex: a.entry ? `\\big(${d.tex}\\big)_{${a.entry.map((k) => k + 1).join(',')}}` : d.tex, words: d.words + entry, size };
  });
}

const YAML_OPTS = { nullStr: '~', flowCollectionPadding: false, lineWidth: 0 } as const;

function flow(items: unknown[]): YAMLSeq {
  const s = new YAMLSeq();
  s.flow = true;
  s.items = items;
  return s;
}

/** The blank answers file a student fills in: every asked id with `~` for each number. */
export function answersTemplate(asked: Asked[]): string {
  const map = new YAMLMap();
  for (const a of asked) {
    const shape = a.entry ? [] : shapeOf(a.value);
    const blank = () => new Scalar(null);
    const v = shape.length === 0 ? blank() : shape.length === 1 ? flow(Array.from({ length: shape[0]! }, blank)) : flow(Array.from({ length: shape[0]! }, () => flow(Array.from({ length: shape[1]! }, blank))));
    map.items.push(new Pair(new Scalar(a.key), v));
  }
  return stringify(map, YAML_OPTS);
}

/** The answers key: every asked id with its value at the working precision. */
export function answersKey(asked: Asked[], n: Numeric, decimals: number, header: string): string {
  const map = new YAMLMap();
  const num = (x: Parameters<Numeric['toString']>[0]) => new Scalar(n.toString(x));
  for (const a of asked) {
    let v: unknown;
    if (a.entry) v = num(entryOf(a.value, a.entry));
    else if (a.value.kind === 'scalar') v = num(a.value.x);
    else if (a.value.kind === 'vec') v = flow(a.value.x.map(num));
    else v = flow(a.value.x.map((r) => flow(r.map(num))));
    // the value as the solution shows it, for a reader of the key
    const shown = (x: Parameters<Numeric['toString']>[0]) => show(x, decimals).text;
    const rounded = a.entry ? shown(entryOf(a.value, a.entry)) : a.value.kind === 'scalar' ? shown(a.value.x) : a.value.kind === 'vec' ? `[${a.value.x.map(shown).join(', ')}]` : `[${a.value.x.map((r) => `[${r.map(shown).join(', ')}]`).join(', ')}]`;
    const key = new Scalar(a.key);
    key.commentBefore = ` ≈ ${rounded}`;
    const pair = new Pair(key, v);
    map.items.push(pair);
  }
  const comment = header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n');
  return `${comment}\n${stringify(map, YAML_OPTS)}`;
}
