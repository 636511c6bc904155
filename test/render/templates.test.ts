// --templates DIR: a course overrides built-in templates by name.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { solveToText } from '../../src/run/solve.js';
import { InputError } from '../../src/problem/errors.js';
import { main, type IO } from '../../src/main.js';

const SEED = 'fixtures/seed-rnn-sentiment.yaml';
const render = (templates: string) =>
  solveToText({ problem: SEED, format: 'md', out: null, decimals: 4, detail: 'full', precision: 64, templates }).text;
const dir = (files: Record<string, string>) => {
  const d = mkdtempSync(join(tmpdir(), 'unrolled-templates-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
};

describe('--templates', () => {
  it('replaces the header and footer by name, from DIR/md', () => {
    const md = render(dir({ 'md/header.hbs': '**MATH 101, Homework 4**\n\n', 'md/footer.hbs': '\n*Graded by the course team.*\n' }));
    expect(md.startsWith('**MATH 101, Homework 4**\n\n# Vanilla RNN sentiment')).toBe(true);
    expect(md.trimEnd().endsWith('*Graded by the course team.*')).toBe(true);
  });

  it('reads DIR itself when it has no md folder, and only then', () => {
    expect(render(dir({ 'header.hbs': 'TOP\n\n' })).startsWith('TOP\n\n# Vanilla')).toBe(true);
    expect(render(dir({ 'header.hbs': 'TOP\n\n', 'md/footer.hbs': 'END\n' })).startsWith('# Vanilla')).toBe(true);
  });

  it('replaces any block template, with the data the built-in one receives', () => {
    const md = render(dir({ 'md/zeros.hbs': 'Keine Beiträge: {{#each items}}`{{id}}` {{/each}}\n' }));
    expect(md).toContain('Keine Beiträge: `ex1.t1.dW_hy` `ex1.t1.db_y`');
  });

  it('rejects a template name that does not exist, naming the closest', () => {
    expect(() => render(dir({ 'md/headr.hbs': 'x' }))).toThrow(InputError);
    expect(() => render(dir({ 'md/headr.hbs': 'x' }))).toThrow(/headr\.hbs: there is no md template named "headr" \(did you mean "header"\?\)/);
  });

  it('rejects a template that is not valid Handlebars', () => {
    expect(() => render(dir({ 'header.hbs': '{{#if title}}unclosed' }))).toThrow(/header\.hbs: not a valid Handlebars template/);
  });

  it('on the command line: a missing directory is exit 2 with one line, nothing written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'unrolled-out-'));
    const err: string[] = [];
    const io: IO = { stdout: () => {}, stderr: (t) => void err.push(t) };
    const code = await main(['solve', SEED, '--templates', join(out, 'nope'), '--out', out], io);
    expect(code).toBe(2);
    expect(err.join('').trim().split('\n')).toEqual([`--templates: cannot read ${join(out, 'nope')}: no such directory`]);
  });
});
