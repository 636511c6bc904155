// Every quantity id of every reference problem (test/reference/NAME.yaml + NAME.json, computed
// by an independent float64 implementation) must be produced by `unrolled solve --format json`
// and agree with it to rtol 1e-10 / atol 1e-12 (see test/reference/README.md).
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { Numeric } from '../../src/numeric/index.js';
import { loadProblem } from '../../src/problem/validate.js';
import { solve } from '../../src/engine/solve.js';
import { renderJson } from '../../src/render/json.js';
import { cells } from '../../src/engine/cells/index.js';

const REF = join(dirname(fileURLToPath(import.meta.url)), '..', 'reference');
const RTOL = 1e-10;
const ATOL = 1e-12;
/** cells this version of unrolled implements (the engine's cell table); the others are skipped until they are */
const SUPPORTED = new Set<string>(Object.keys(cells));

type Ref = number | number[] | number[][];
type Got = string | string[] | string[][];

const problems = readdirSync(REF)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const yamlPath = join(REF, f);
    const jsonPath = yamlPath.replace(/\.yaml$/, '.json');
    const cell = String((parseYaml(readFileSync(yamlPath, 'utf8')) as { model?: { cell?: unknown } }).model?.cell);
    return { name: f.replace(/\.yaml$/, ''), yamlPath, jsonPath, cell };
  });

function shapeOf(v: unknown): string {
  if (!Array.isArray(v)) return 'scalar';
  if (v.length > 0 && Array.isArray(v[0])) return `${v.length}x${(v[0] as unknown[]).length}`;
  return `${v.length}`;
}

/** Every mismatch between an engine value (decimal strings) and a reference value (floats). */
function mismatches(id: string, got: Got, want: Ref): string[] {
  const out: string[] = [];
  const cmp = (where: string, g: string, w: number) => {
    const gv = Number(g);
    if (typeof g !== 'string' || !Number.isFinite(gv)) {
      out.push(`${where}: got ${JSON.stringify(g)}, not a decimal string`);
      return;
    }
    if (!(Math.abs(gv - w) <= ATOL + RTOL * Math.abs(w))) out.push(`${where}: got ${g}, reference ${w}`);
  };
  if (shapeOf(got) !== shapeOf(want)) return [`${id}: shape ${shapeOf(got)}, reference ${shapeOf(want)}`];
  if (!Array.isArray(want)) cmp(id, got as string, want);
  else if (Array.isArray(want[0])) {
    (want as number[][]).forEach((row, i) => {
      const grow = (got as string[][])[i]!;
      if (grow.length !== row.length) out.push(`${id}[${i + 1}]: ${grow.length} columns, reference ${row.length}`);
      else row.forEach((w, j) => cmp(`${id}[${i + 1}][${j + 1}]`, grow[j]!, w));
    });
  } else (want as number[]).forEach((w, i) => cmp(`${id}[${i + 1}]`, (got as string[])[i]!, w));
  return out;
}

describe('reference problems', () => {
  it('has at least one reference problem per supported cell, each with its JSON', () => {
    expect(SUPPORTED.has('rnn')).toBe(true);
    expect(problems.filter((p) => p.cell === 'rnn').map((p) => p.name)).toContain('seed-rnn-sentiment');
    // every supported cell has at least one reference problem
    for (const cell of SUPPORTED) expect(problems.some((p) => p.cell === cell), cell).toBe(true);
    for (const p of problems) expect(existsSync(p.jsonPath), `${p.jsonPath} exists`).toBe(true);
  });

  for (const p of problems) {
    it.skipIf(!SUPPORTED.has(p.cell))(`${p.name} (${p.cell}): every reference id matches`, () => {
      const n = Numeric.at(64);
      const text = renderJson(solve(loadProblem(p.yamlPath, n), { precision: 64 }), n);
      const got = (JSON.parse(text) as { quantities: Record<string, Got> }).quantities;
      const want = (JSON.parse(readFileSync(p.jsonPath, 'utf8')) as { quantities: Record<string, Ref> }).quantities;
      const ids = Object.keys(want);
      expect(ids.length).toBeGreaterThan(10);
      const missing = ids.filter((id) => !(id in got));
      expect(missing, 'ids missing from the JSON output').toEqual([]);
      const bad = ids.flatMap((id) => mismatches(id, got[id]!, want[id]!));
      expect(bad, 'values off the reference').toEqual([]);
    });
  }

  it('the comparison itself catches a wrong value, a wrong shape and a non-number', () => {
    expect(mismatches('a', '0.3095069212126385', 0.30950692121263845)).toEqual([]);
    expect(mismatches('a', '0.15', 0.15000000000000002)).toEqual([]);
    expect(mismatches('a', '0', -0.0)).toEqual([]);
    expect(mismatches('a', '1e-13', 0)).toEqual([]);
    expect(mismatches('a', '0.30950693', 0.30950692121263845)).toHaveLength(1);
    expect(mismatches('a', ['1', '2'], [1, 2, 3])).toEqual(['a: shape 2, reference 3']);
    expect(mismatches('a', [['1'], ['2']], [[1], [2.5]])).toEqual(['a[2][1]: got 2, reference 2.5']);
    expect(mismatches('a', 'NaN', 1)).toHaveLength(1);
  });
});
