// Shared by the finite-difference gradient checks (test/engine/gradcheck.test.ts,
// stacked.test.ts). At 64 significant digits a central difference (L(θ+ε) − L(θ−ε)) / 2ε
// with ε = 1e-25 has a truncation error of order ε² ≈ 1e-50 and a rounding error of order
// 1e-64 / ε ≈ 1e-39, so it must agree with the engine's gradient far better than RTOL.
import { Numeric, type Num } from '../../src/numeric/index.js';
import { solve } from '../../src/engine/solve.js';
import type { Problem } from '../../src/problem/types.js';
import { entriesOf, type Trace, type Value } from '../../src/trace/types.js';

export const PRECISION = 64;
export const n = Numeric.at(PRECISION);
export const EPS = n.parse('1e-25');
export const TWO_EPS = n.parse('2e-25');
export const RTOL = n.parse('1e-20');
export const ATOL = n.parse('1e-30');

export const run = (p: Problem): Trace => solve(p, { precision: PRECISION });
export const flat = (v: Value): Num[] => entriesOf(v);
