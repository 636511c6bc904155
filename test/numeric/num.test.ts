import { describe, expect, it } from 'vitest';
import { Numeric, show, shownExact, type Num } from '../../src/numeric/index.js';

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
  it('tells whether a number is shown exactly without formatting it, as show does', () => {
    const nums: Num[] = [];
    for (const s of ['0', '0.13', '-0.1234', '0.12345', '1e-9', '-250', '1/3', '2/8']) {
      const x = n.parse(s);
      nums.push(x, n.tanh(x), n.mul(x, n.parse('0.1')), n.roundTo(n.tanh(x), 4), n.roundTo(x, 2), n.roundTo(x, 4));
    }
    let exact = 0;
    for (const x of nums) {
      for (const decimals of [0, 2, 4, 6]) {
        for (const operand of [false, true]) {
          expect(shownExact(x, decimals, operand), `${n.toString(x)} at ${decimals}${operand ? ' as an operand' : ''}`).toBe(show(x, decimals, operand).exact);
          exact += Number(shownExact(x, decimals, operand));
        }
      }
    }
    // both answers occur
    expect(exact).toBeGreaterThan(20);
    expect(exact).toBeLessThan(nums.length * 8 - 20);
    // and they are the display rule's: an exact number with few enough places, a hand-rounded
    // one only as an operand
    expect(shownExact(n.parse('0.13'), 2)).toBe(true);
    expect(shownExact(n.parse('0.13'), 1)).toBe(false);
    expect(shownExact(n.parse('2/8'), 2)).toBe(true);
    expect(shownExact(n.parse('1/3'), 6)).toBe(false);
    expect(shownExact(n.zero, 0)).toBe(true);
    expect(shownExact(n.tanh(n.parse('0.23')), 30)).toBe(false);
    const rounded = n.roundTo(n.tanh(n.parse('0.23')), 4);
    expect([shownExact(rounded, 4), shownExact(rounded, 4, true)]).toEqual([false, true]);
  });
});
