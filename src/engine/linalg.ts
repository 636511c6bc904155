// Vector-level arithmetic on Num, exact where the operands are.
import type { Numeric, Num } from '../numeric/index.js';
import type { Mat, Value, Vec } from '../trace/types.js';

export const vec = (x: Vec): Value => ({ kind: 'vec', x });
export const mat = (x: Mat): Value => ({ kind: 'mat', x });
export const scalar = (x: Num): Value => ({ kind: 'scalar', x });

export function asVec(v: Value): Vec {
  if (v.kind === 'vec') return v.x;
  if (v.kind === 'scalar') return [v.x];
  throw new TypeError('expected a vector, got a matrix');
}

export function asMat(v: Value): Mat {
  if (v.kind !== 'mat') throw new TypeError(`expected a matrix, got a ${v.kind}`);
  return v.x;
}

export function asScalar(v: Value): Num {
  if (v.kind === 'scalar') return v.x;
  if (v.kind === 'vec' && v.x.length === 1) return v.x[0]!;
  throw new TypeError(`expected a scalar, got a ${v.kind}`);
}

/** Zero value of the same shape. */
export function zerosLike(n: Numeric, v: Value): Value {
  if (v.kind === 'scalar') return scalar(n.zero);
  if (v.kind === 'vec') return vec(v.x.map(() => n.zero));
  return mat(v.x.map((r) => r.map(() => n.zero)));
}

export function zeros(n: Numeric, shape: readonly number[]): Value {
  if (shape.length === 0) return scalar(n.zero);
  if (shape.length === 1) return vec(Array.from({ length: shape[0]! }, () => n.zero));
  return mat(Array.from({ length: shape[0]! }, () => Array.from({ length: shape[1]! }, () => n.zero)));
}

/** W v, row by row: Σ_j W[i][j] v[j]. */
export function matvec(n: Numeric, W: Mat, v: Vec): Vec {
  return W.map((row) => n.sum(row.map((w, j) => n.mul(w, v[j]!))));
}

/** Wᵀ g: column j of W dotted with g. */
export function matTvec(n: Numeric, W: Mat, g: Vec): Vec {
  const cols = W[0]?.length ?? 0;
  return Array.from({ length: cols }, (_, j) => n.sum(W.map((row, i) => n.mul(row[j]!, g[i]!))));
}

/** g vᵀ */
export function outer(n: Numeric, g: Vec, v: Vec): Mat {
  return g.map((gi) => v.map((vj) => n.mul(gi, vj)));
}

export function dot(n: Numeric, a: Vec, b: Vec): Num {
  return n.sum(a.map((x, i) => n.mul(x, b[i]!)));
}

/** Elementwise sum of values of equal shape. */
export function addValues(n: Numeric, a: Value, b: Value): Value {
  if (a.kind === 'scalar' && b.kind === 'scalar') return scalar(n.add(a.x, b.x));
  if (a.kind === 'vec' && b.kind === 'vec') return vec(a.x.map((x, i) => n.add(x, b.x[i]!)));
  if (a.kind === 'mat' && b.kind === 'mat') return mat(a.x.map((r, i) => r.map((x, j) => n.add(x, b.x[i]![j]!))));
  throw new TypeError(`cannot add a ${a.kind} and a ${b.kind}`);
}

export function scaleValue(n: Numeric, s: Num, a: Value): Value {
  return mapValue(a, (x) => n.mul(s, x));
}

export function mapValue(a: Value, f: (x: Num) => Num): Value {
  if (a.kind === 'scalar') return scalar(f(a.x));
  if (a.kind === 'vec') return vec(a.x.map(f));
  return mat(a.x.map((r) => r.map(f)));
}

export function sumValues(n: Numeric, values: Value[], like: Value): Value {
  return values.reduce((acc, v) => addValues(n, acc, v), zerosLike(n, like));
}

/** Rows [from, to) of a matrix or vector. */
export function sliceRows<T>(x: T[], rows?: [number, number]): T[] {
  return rows ? x.slice(rows[0], rows[1]) : x;
}
