import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { solveToText } from '../../src/run/solve.js';
import type { Detail } from '../../src/render/view.js';
import { katexErrors, mathPieces } from './math.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const render = (problem: string, detail: Detail = 'full', decimals = 4, format: 'md' | 'json' = 'md') =>
  solveToText({ problem, format, out: null, decimals, detail, precision: 64 }).text;

/** Compare with a golden file; UPDATE_GOLDEN=1 rewrites it (then review the diff). */
function golden(name: string, text: string) {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

const seed = 'fixtures/seed-rnn-sentiment.yaml';

describe('Markdown worked solution of the seed example', () => {
  const md = render(seed);

  it('matches the golden file', () => golden('seed-rnn-sentiment.md', md));
  it('matches the golden file at --detail standard', () => golden('seed-rnn-sentiment.standard.md', render(seed, 'standard')));
  it('matches the golden file at --detail brief', () => golden('seed-rnn-sentiment.brief.md', render(seed, 'brief')));

  it('names every quantity id of the JSON output, forward and backward, of both examples', () => {
    const ids = Object.keys(JSON.parse(render(seed, 'full', 4, 'json')).quantities as object);
    expect(ids.length).toBeGreaterThan(160);
    const missing = ids.filter((id) => !md.includes('`' + id + '`'));
    expect(missing).toEqual([]);
  });

  it('expands products term by term, as the course notes do', () => {
    expect(md).toContain('(W_{xh} x_{1})_{1} &= 0.2 \\times 0.1 + 0.4 \\times 0.2 + 0.1 \\times 0.3 = 0.13');
    expect(md).toContain('z_{1} = W_{xh} x_{1} + W_{hh} h_{0} + b_{h} = \\begin{bmatrix} 0.13 \\\\ 0.22 \\\\ 0.17 \\end{bmatrix} + \\begin{bmatrix} 0 \\\\ 0 \\\\ 0 \\end{bmatrix} + \\begin{bmatrix} 0.1 \\\\ 0.1 \\\\ 0.1 \\end{bmatrix} = \\begin{bmatrix} 0.23 \\\\ 0.32 \\\\ 0.27 \\end{bmatrix}');
  });

  it('gets the digits the hand calculation got wrong right (h_4 ≈ 0.569, loss ≈ 0.378)', () => {
    expect(md).toContain('h_{4,1} &\\approx \\tanh(0.6460) \\approx 0.5689');
    expect(md).toContain('L^{(1)} = L_{6} \\approx 0.3780');
    const three = render(seed, 'full', 3);
    expect(three).toContain('h_{4,1} &\\approx \\tanh(0.646) \\approx 0.569');
    expect(three).toContain('L^{(1)} = L_{6} \\approx 0.378$');
  });

  it('shows both parts of δh_t, the ŷ − y shortcut, and the tanh derivative entry by entry', () => {
    expect(md).toContain('\\delta s_{6} &= \\delta \\hat{y}_{6}\\, \\hat{y}_{6} (1 - \\hat{y}_{6}) \\approx -1.4594 \\times 0.6852 \\times (1 - 0.6852) \\approx -0.3148');
    expect(md).toContain('$0.6852 - 1 \\approx -0.3148$');
    expect(md).toContain('\\delta z_{6,1} &= \\delta h_{6,1}\\,(1 - h_{6,1}^2) \\approx -0.0944 \\times (1 - 0.6673^2) \\approx -0.0524');
    expect(md).toContain('\\delta h_{5} = W_{hh}^\\top \\delta z_{6}');
    expect(md).toContain('There is no output at $t = 5$, so nothing reaches $h_{5}$ from the head.');
  });

  it('writes = only for exact values and ≈ for rounded ones', () => {
    expect(md).toMatch(/h_\{1,1\} &= \\tanh\(0\.23\) \\approx 0\.2260/);
    expect(md).not.toMatch(/= 0\.2260(?!\d)/);
    // dW_hh at t = 1 is exactly zero because h_0 = 0
    expect(md).toContain('\\delta W_{hh}^{[t=1]} \\approx \\begin{bmatrix} -0.0014 \\\\ -0.0012 \\\\ -0.0009 \\end{bmatrix} \\begin{bmatrix} 0 & 0 & 0 \\end{bmatrix}');
    expect(md).toContain('-0.0009 \\times 0 \\end{bmatrix} = \\begin{bmatrix} 0 & 0 & 0 \\\\ 0 & 0 & 0 \\\\ 0 & 0 & 0 \\end{bmatrix}');
  });

  it('sums embedding gradients over every occurrence in every example', () => {
    expect(md).toContain('\\nabla_{e(\\text{this})} \\mathcal{L} &\\approx \\underbrace{ \\begin{bmatrix} -0.0018 \\\\ -0.0027 \\\\ -0.0023 \\end{bmatrix} }_{ n=1 } + \\underbrace{ \\begin{bmatrix} 0.0289 \\\\ 0.0391 \\\\ 0.0346 \\end{bmatrix} }_{ n=2 }');
  });

  it('has only math that KaTeX parses (throwOnError, strict) at every detail level', () => {
    for (const detail of ['full', 'standard', 'brief'] as const) {
      const text = render(seed, detail);
      expect(mathPieces(text).length).toBeGreaterThan(detail === 'brief' ? 20 : 200);
      expect(katexErrors(text)).toEqual([]);
    }
  });
});

describe('user text is escaped', () => {
  const md = render('fixtures/escaping-tokens.yaml');

  it('matches the golden file', () => golden('escaping-tokens.md', md));

  it('keeps every math piece valid for KaTeX', () => {
    expect(katexErrors(md)).toEqual([]);
  });

  it('escapes tokens in running text, tables and math', () => {
    expect(md).toContain('# Escaping check: 100\\% &lt;b&gt;bold&lt;/b&gt; \\$x &amp; a\\_b \\{\\} \\\\ \\# \\~ \\^ \\| \\`tick\\`');
    expect(md).toContain('| \\|\\`\\* |');
    expect(md).toContain('\\partial e(\\text{\\textbackslash{}})');
    expect(md).toContain('e(\\text{\\textasciitilde{}\\textasciicircum{}})');
    expect(md).toContain('`` ex2.demb.|`* ``');
    expect(md).toContain('e(\\text{|\\char"60{}*})');
    expect(md).not.toContain('<b>bold');
  });
});

describe('the other heads and losses render', () => {
  it('raw inputs, identity head with squared error at every step, a given h0', () => {
    const md = render('fixtures/rnn-regression-inputs.yaml');
    golden('rnn-regression-inputs.md', md);
    expect(katexErrors(md)).toEqual([]);
    expect(md).toContain('**Input.** $x_{1}$ is given');
    expect(md).toContain('Initial state (given):');
    expect(md).toContain('\\delta \\hat{y}_{3} &\\approx -0.4057 - 1 \\approx -1.4057');
    expect(md).toContain('$\\delta h_{2} = W_{hy}^\\top \\delta s_{2} + W_{hh}^\\top \\delta z_{3}$');
  });

  it('softmax with cross-entropy, output at every step, mean reduction', () => {
    const md = render('fixtures/escaping-tokens.yaml');
    expect(md).toContain('S &\\approx e^{ 0.0497 } + e^{ 0.1419 } + e^{ -0.1289 } \\approx 1.0510 + ');
    expect(md).toContain('(\\text{class } 2)');
    expect(md).toContain('\\tfrac{1}{ 2 }');
  });
});

/** Every problem file in fixtures/ (answer files have no `model:`). */
const problems = readdirSync('fixtures')
  .filter((f) => f.endsWith('.yaml') && /^model:/m.test(readFileSync(join('fixtures', f), 'utf8')))
  .map((f) => join('fixtures', f));

describe.each(problems)('%s', (problem) => {
  it('renders at every detail level with only KaTeX-valid math', () => {
    for (const detail of ['full', 'standard', 'brief'] as const) expect(katexErrors(render(problem, detail))).toEqual([]);
  });
  it('names every quantity id of the JSON output in the full solution', () => {
    const md = render(problem);
    const ids = Object.keys(JSON.parse(render(problem, 'full', 4, 'json')).quantities as object);
    expect(ids.filter((id) => !md.includes('`' + id + '`') && !md.includes('`` ' + id + ' ``'))).toEqual([]);
  });
});

describe('LSTM worked solution (textbook convention)', () => {
  const md = render('fixtures/lstm-textbook-small.yaml');
  it('matches the golden file', () => golden('lstm-textbook-small.md', md));

  it('writes v_t, every gate, the cell state and h_t entry by entry', () => {
    expect(md).toContain('v_{2} = \\begin{bmatrix} h_{1} \\\\ x_{2} \\end{bmatrix} \\approx \\begin{bmatrix} 0.0205 \\\\ -0.0716 \\\\ 0.1 \\\\ 0.6 \\end{bmatrix}');
    expect(md).toContain('(W_{f} v_{1})_{1} &= 0.2 \\times 0 - 0.1 \\times 0 + 0.4 \\times 0.3 + 0.3 \\times (-0.2) = 0.06');
    expect(md).toContain('c_{2,1} &\\approx 0.6751 \\times 0.0385 + 0.5254 \\times 0.3746 \\approx 0.2228');
    expect(md).toContain('h_{2,1} &\\approx 0.4768 \\times 0.2192 \\approx 0.1045');
  });

  it('shows δc_t as the part through h_t plus f_{t+1} ⊙ δc_{t+1}', () => {
    expect(md).toContain('\\delta c_{1} = \\delta \\tanh(c_{1}) \\odot (1 - \\tanh(c_{1})^2) + \\delta c_{2} \\odot f_{2} \\approx \\begin{bmatrix} -0.0272 \\\\ 0.0286 \\end{bmatrix} + \\begin{bmatrix} -0.1153 \\\\ 0.0931 \\end{bmatrix} \\approx \\begin{bmatrix} -0.1425 \\\\ 0.1218 \\end{bmatrix}');
    expect(md).toContain('(\\delta c_{2} \\odot f_{2})_{ 1 } &\\approx -0.1708 \\times 0.6751 \\approx -0.1153');
    expect(md).toContain('\\delta o^{\\mathrm{pre}}_{2,1} &= \\delta o_{2,1}\\, o_{2,1} (1 - o_{2,1}) \\approx -0.0825 \\times 0.4768 \\times (1 - 0.4768) \\approx -0.0206');
    expect(md).toContain('\\delta h_{1} = (\\delta v_{2})_{ 1..2 }');
    expect(md).toContain('$h_0$ and $c_0$ are fixed initial states');
  });
});

describe('LSTM worked solution (PyTorch convention)', () => {
  const md = render('fixtures/lstm-pytorch-small.yaml');
  it('uses the torch.nn documentation\'s gate blocks and stacks their gradients', () => {
    expect(md).toContain('`weight_ih_l0` ($8 \\times 2$)');
    expect(md).toContain('i^{\\mathrm{pre}}_{1} = W_{ii} x_{1} + W_{hi} h_{0} + b_{ii} + b_{hi}');
    expect(md).toContain('\\delta W_{ih}^{[t=2]} = \\begin{bmatrix} \\delta W_{ii}^{[t=2]} \\\\ \\delta W_{if}^{[t=2]} \\\\ \\delta W_{ig}^{[t=2]} \\\\ \\delta W_{io}^{[t=2]} \\end{bmatrix}');
    expect(md).toContain('4H(D + H + 2) + O(H + 1) = 4 \\cdot 2(2 + 2 + 2) + 1(2 + 1) = 51');
  });
  it('gives the same loss as the textbook form of the same weights', () => {
    expect(md).toContain('L^{(1)} = L_{2} \\approx 0.6359');
    expect(render('fixtures/lstm-textbook-small.yaml')).toContain('L^{(1)} = L_{2} \\approx 0.6359');
  });
});

describe('GRU worked solution (PyTorch convention)', () => {
  const md = render('fixtures/gru-pytorch-small.yaml');
  it('matches the golden file', () => golden('gru-pytorch-small.md', md));
  it('applies the reset gate to W_hn h + b_hn and lets z weight the old state', () => {
    expect(md).toContain('\\mathit{hn}_{2} = W_{hn} h_{1} + b_{hn}');
    expect(md).toContain('q_{2,1} &\\approx 0.4878 \\times 0.0459 \\approx 0.0224');
    expect(md).toMatch(/h_\{2\} = \(1 - z_\{2\}\) \\odot n_\{2\} \+ z_\{2\} \\odot h_\{1\}/);
    expect(md).toContain('\\delta h_{2} = W_{hy}^\\top \\delta s_{2} + \\delta h_{3} \\odot z_{3} + W_{hn}^\\top \\delta \\mathit{hn}_{3} + W_{hz}^\\top \\delta z^{\\mathrm{pre}}_{3} + W_{hr}^\\top \\delta r^{\\mathrm{pre}}_{3}');
    expect(md).toContain('\\delta \\mathit{hn}_{2,1} &\\approx 0.0745 \\times 0.4878 \\approx 0.0364');
  });
  it('explains how the textbook convention differs', () => {
    expect(md).toContain('**How the textbook convention differs**');
  });
});

describe('GRU worked solution (textbook convention)', () => {
  const md = render('fixtures/gru-textbook-small.yaml');
  it('resets h_{t−1} before the product and lets z weight the candidate', () => {
    expect(md).toMatch(/h_\{1\} = \(1 - z_\{1\}\) \\odot h_\{0\} \+ z_\{1\} \\odot \\tilde\{h\}_\{1\}/);
    expect(md).toContain('u_{1} = \\begin{bmatrix} q_{1} \\\\ x_{1} \\end{bmatrix}');
    expect(md).toContain('**How the PyTorch convention differs**');
  });
});

describe('Truncated BPTT worked solution', () => {
  const md = render('fixtures/rnn-truncated.yaml');
  it('matches the golden file', () => golden('rnn-truncated.md', md));
});

describe('stacked bidirectional GRU (PyTorch convention, layers: 2)', () => {
  const file = 'fixtures/gru-pytorch-stacked-bidirectional.yaml';
  const md = render(file);
  it('matches the golden file', () => golden('gru-pytorch-stacked-bidirectional.md', md));
  it('walks layer by layer and direction by direction, forward and backward', () => {
    const headings = md.split('\n').filter((l) => /^### Example 1(:|, backward:)/.test(l));
    expect(headings).toEqual([
      '### Example 1: the inputs',
      '### Example 1: layer 1, forward direction (read from t = 1 to T)',
      '### Example 1: layer 1, reverse direction (read from t = T down to 1)',
      '### Example 1: the input of layer 2: both directions of layer 1, concatenated',
      '### Example 1: layer 2, forward direction (read from t = 1 to T)',
      '### Example 1: layer 2, reverse direction (read from t = T down to 1)',
      '### Example 1: the output head',
      '### Example 1, backward: the output head',
      '### Example 1, backward: layer 2, reverse direction (read from t = T down to 1)',
      '### Example 1, backward: layer 2, forward direction (read from t = 1 to T)',
      '### Example 1, backward: the input of layer 2: both directions of layer 1, concatenated',
      '### Example 1, backward: layer 1, reverse direction (read from t = T down to 1)',
      '### Example 1, backward: layer 1, forward direction (read from t = 1 to T)',
      '### Example 1, backward: the inputs',
    ]);
    expect(md).toContain('#### Example 1, forward: layer 1, reverse direction, t = 2: “film”');
  });
  it('writes layers as superscripts and directions as arrows, and the head input [h→_T; h←_1]', () => {
    expect(md).toContain('`weight_hh_l0_reverse` ($6 \\times 2$)');
    expect(md).toContain('`weight_ih_l1` ($6 \\times 4$)');
    expect(md).toContain('{\\overleftarrow{W}_{hh}^{(1)}} = ');
    expect(md).toContain('{h^{(2)}_{T}} = \\begin{bmatrix} {\\overrightarrow{h}^{(2)}_{T}} \\\\ {\\overleftarrow{h}^{(2)}_{1}} \\end{bmatrix}');
    expect(md).toContain('{h^{(2)}_{2}} = \\begin{bmatrix} {\\overrightarrow{h}^{(2)}_{2}} \\\\ {\\overleftarrow{h}^{(2)}_{1}} \\end{bmatrix}');
  });
  it('labels both parts of δh where a layer feeds the layer above and the next timestep', () => {
    expect(md).toContain('$\\delta {\\overrightarrow{h}^{(1)}_{1}}$ has 5 parts: $(\\delta {x^{(2)}_{1}})_{1..2}$ from layer 2, which reads it as its input, $\\delta {\\overrightarrow{h}^{(1)}_{2}} \\odot {\\overrightarrow{z}^{(1)}_{2}}$ from the next step of this direction ($t = 2$)');
    expect(md).toContain('${\\overleftarrow{h}^{(1)}_{0}}$ is a fixed initial state, not a parameter, so the walk of this direction ends here.');
  });
  it('counts the parameters of every layer and direction', () => {
    // 2 directions × 3 gates × H(D + H + 2) for layer 1, the same with 2H inputs for layer 2, and the head on 2H
    expect(md).toContain('= 173$, plus $3 \\times 2 = 6$ embedding entries');
    expect(2 * 3 * 2 * (2 + 2 + 2) + 2 * 3 * 2 * (4 + 2 + 2) + (4 + 1)).toBe(173);
  });
  it('names every quantity id of the JSON output', () => {
    const ids = Object.keys(JSON.parse(render(file, 'full', 4, 'json')).quantities as object);
    expect(ids.length).toBeGreaterThan(400);
    expect(ids.filter((id) => !md.includes('`' + id + '`'))).toEqual([]);
  });
  it('has only math that KaTeX parses, at every detail level', () => {
    for (const detail of ['full', 'standard', 'brief'] as const) expect(katexErrors(render(file, detail))).toEqual([]);
  });
});

describe('stacked and bidirectional networks of every cell and convention render', () => {
  it('with only math KaTeX parses and every JSON id shown', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { problemText } = await import('../engine/stacked-problems.js');
    const dir = mkdtempSync(join(tmpdir(), 'unrolled-stacked-'));
    try {
      let seed = 300;
      for (const cell of ['rnn', 'lstm', 'gru'] as const) {
        for (const convention of ['textbook', 'pytorch'] as const) {
          const file = join(dir, `${cell}-${convention}.yaml`);
          writeFileSync(file, problemText({ cell, convention, layers: 2, bidirectional: true, outputAt: 'every', seed: seed++ }));
          const md = render(file);
          expect(katexErrors(md), file).toEqual([]);
          const ids = Object.keys(JSON.parse(render(file, 'full', 4, 'json')).quantities as object);
          expect(ids.filter((id) => !md.includes('`' + id + '`')), file).toEqual([]);
          expect(katexErrors(render(file, 'brief')), file).toEqual([]);
        }
      }
      // truncated BPTT in a stacked network: the chunk notes of every layer
      const file = join(dir, 'lstm-truncated.yaml');
      writeFileSync(file, problemText({ cell: 'lstm', convention: 'textbook', layers: 2, bidirectional: false, outputAt: 'every', truncate: 2, seed: 9 }));
      const md = render(file);
      expect(katexErrors(md)).toEqual([]);
      expect(md).toContain('Truncated BPTT: a new chunk starts here. ${h^{(2)}_{2}}$ and ${c^{(2)}_{2}}$ are carried forward');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
