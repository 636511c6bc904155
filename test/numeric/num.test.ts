import { describe, expect, it } from 'vitest';
import { Numeric, show } from '../../src/numeric/index.js';

const n = Numeric.at(64);

describe('Numeric', () => {
  it('keeps decimal sums and products exact', () => {
    const x = n.add(n.mul(n.parse('0.2'), n.parse('0.1')), n.parse('0.1'));
    expect(x.exact).toBe(true);
    expect(n.toString(x)).toBe('0.12');
  });
  it('evaluates tanh to 64 significant digits', () => {
    expect(n.toString(n.tanh(n.parse('0.23')))).toBe('0.2260283522786709414583111729537471744757477602181305426788389553');
  });
  it('shows exact short values as they are and rounds the rest', () => {
    expect(show(n.parse('0.13'), 4)).toEqual({ text: '0.13', exact: true });
    expect(show(n.tanh(n.parse('0.23')), 4)).toEqual({ text: '0.2260', exact: false });
  });
});
