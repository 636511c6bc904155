// --format html: one self-contained page, every formula rendered by KaTeX at build time,
// KaTeX's CSS and fonts inlined, no script and no request; checked as text for every
// problem in fixtures/, and in Debian's Chromium for the seed.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solveToText } from '../../src/run/solve.js';
import { markdownToHtml, slug } from '../../src/render/html.js';
import { main, type IO } from '../../src/main.js';
import { mathPieces } from './math.js';

const SEED = 'fixtures/seed-rnn-sentiment.yaml';
const ESCAPING = 'fixtures/escaping-tokens.yaml';

const cache = new Map<string, string>();
function render(problem: string, format: 'html' | 'md' = 'html', templates: string | null = null): string {
  const key = `${problem} ${format} ${templates}`;
  if (!cache.has(key)) cache.set(key, solveToText({ problem, format, out: null, decimals: 4, detail: 'full', precision: 64, templates }).text);
  return cache.get(key)!;
}

/** toContain/toMatch that do not print a page of several megabytes when they fail */
function has(html: string, snippet: string | RegExp, yes = true): void {
  const found = typeof snippet === 'string' ? html.includes(snippet) : snippet.test(html);
  expect(found, `the HTML ${yes ? 'contains' : 'does not contain'} ${String(typeof snippet === 'string' ? JSON.stringify(snippet) : snippet).slice(0, 300)}`).toBe(yes);
}
const lacks = (html: string, snippet: string | RegExp) => has(html, snippet, false);

const unescape = (s: string) =>
  s.replace(/&(lt|gt|quot|#39|#x27|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", amp: '&' })[e]!);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The TeX source of every formula of the body, in order (KaTeX keeps it in the MathML). */
function texSources(html: string): string[] {
  const body = html.slice(html.indexOf('<main>'));
  return [...body.matchAll(/<annotation encoding="application\/x-tex">([\s\S]*?)<\/annotation>/g)].map((m) => unescape(m[1]!).replace(/\n$/, ''));
}

/** The element that starts at `from` (an opening <span>), up to its matching </span>. */
function spanAt(html: string, from: number): string {
  const tags = /<span\b|<\/span>/g;
  tags.lastIndex = from;
  let depth = 0;
  for (let m; (m = tags.exec(html)); ) {
    depth += m[0] === '</span>' ? -1 : 1;
    if (depth === 0) return html.slice(from, m.index + m[0].length);
  }
  throw new Error('unbalanced <span>');
}

/** What a reader sees of each formula: the text of its MathML, and of KaTeX's HTML. */
function formulaTexts(html: string): { mathml: string[]; visual: string[] } {
  const text = (s: string) => unescape(s.replace(/<annotation[\s\S]*?<\/annotation>/g, '').replace(/<svg[\s\S]*?<\/svg>/g, '').replace(/<[^>]+>/g, ''));
  const mathml = [...html.matchAll(/<math[\s\S]*?<\/math>/g)].map((m) => text(m[0]));
  const visual = [...html.matchAll(/<span class="katex-html"/g)].map((m) => text(spanAt(html, m.index)));
  return { mathml, visual };
}

/** Every URL-like reference a browser could fetch: src=, href=, url(, @import, not data: or #. */
function externalReferences(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/\b(src|href|srcset|poster|action|data)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi)) {
    const v = m[2]!.replace(/^["']|["']$/g, '').trim();
    if (m[1]!.toLowerCase() === 'data' && !/[:/]/.test(v)) continue;
    if (!v.startsWith('#') && !v.startsWith('data:')) found.push(m[0]);
  }
  for (const m of html.matchAll(/url\(\s*(["']?)([^)"']*)/gi)) if (!m[2]!.startsWith('data:') && !m[2]!.startsWith('#')) found.push(m[0]);
  for (const m of html.matchAll(/@import[^;]*/gi)) found.push(m[0]);
  return found;
}

/** Problem files in fixtures/ (answer files have no `model:`). */
const problems = readdirSync('fixtures')
  .filter((f) => f.endsWith('.yaml') && /^model:/m.test(readFileSync(join('fixtures', f), 'utf8')))
  .map((f) => join('fixtures', f));

describe.each(problems)('HTML of %s', (problem) => {
  let html = '';
  beforeAll(() => {
    html = render(problem);
  }, 30_000);

  it('is one page with every formula pre-rendered by KaTeX, the same formulas as the Markdown', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    has(html, '<meta name="viewport" content="width=device-width, initial-scale=1">');
    lacks(html, 'katex-error');
    // the plugin finds exactly the math the Markdown tests check with KaTeX
    expect(texSources(html)).toEqual(mathPieces(render(problem, 'md')).map((p) => p.tex));
  });

  it('needs no network and no JavaScript', () => {
    lacks(html, /<script/i);
    lacks(html, /\son[a-z]+\s*=/i); // no event-handler attributes
    lacks(html, /<(link|iframe|object|embed|video|audio|source)\b/i);
    // the one image: the gradient-flow chart, an SVG data: URL (the CSP allows img-src data:)
    expect([...html.matchAll(/<img\b[^>]*>/gi)].map((m) => m[0].replace(/base64,[A-Za-z0-9+/=]+/, 'base64,…'))).toEqual([
      '<img src="data:image/svg+xml;base64,…" alt="Gradient norms per timestep">',
    ]);
    expect(externalReferences(html)).toEqual([]);
    // the only http(s) strings are the XML namespaces KaTeX writes on <math> and <svg>
    const urls = new Set([...html.matchAll(/[a-z-]*="?https?:\/\/[^"'\s)<>]*/gi)].map((m) => m[0]));
    for (const u of urls) expect(['xmlns="http://www.w3.org/1998/Math/MathML', 'xmlns="http://www.w3.org/2000/svg']).toContain(u);
    // KaTeX's fonts are inlined as woff2 data: URLs, the main one always
    has(html, /@font-face\{[^}]*font-family:KaTeX_Main;[^}]*src:url\(data:font\/woff2;base64,[A-Za-z0-9+/=]{1000,}\) format\("woff2"\)/);
    has(html, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:">`);
  });

  it('has a table of contents whose every link has its target, and unique ids', () => {
    const nav = /<nav class="toc"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
    has(nav, '<a href="#the-network">The network</a>');
    has(nav, '<a href="#example-1-forward-pass">Forward pass</a>');
    const ids = [...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
    const hrefs = [...html.matchAll(/href="#([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(10);
    expect(hrefs.filter((h) => !ids.includes(h))).toEqual([]);
    // the Markdown's own contents links (GitHub's heading ids) land too
    for (const id of ['the-network', 'example-1-forward-pass', 'example-1-backpropagation-through-time', 'example-1-gradients', 'the-batch', 'summary']) {
      has(html, `<h2 id="${id}">`);
    }
  });
});

describe('HTML of the seed example', () => {
  let html = '';
  beforeAll(() => {
    html = render(SEED);
  }, 30_000);

  it('nests the contents: examples, then forward and backward, then timesteps', () => {
    const nav = /<nav class="toc"[\s\S]*?<\/nav>/.exec(html)![0];
    has(nav, 
      '<li><a href="#example-1-forward-pass">Example 1</a><ol><li><a href="#example-1-forward-pass">Forward pass</a><ol><li><a href="#example-1-t--1-i">t = 1: “i”</a></li><li><a href="#example-1-t--2-love">t = 2: “love”</a></li>',
    );
    has(nav, '<li><a href="#example-1-backpropagation-through-time">Backpropagation through time</a><ol><li><a href="#example-1-backward-at-t--6-amazing">Backward at t = 6: “amazing”</a></li>');
    has(nav, '<li><a href="#example-2-forward-pass">Example 2</a>');
    has(nav, '<li><a href="#example-2-gradients">Gradients</a></li></ol>');
    lacks(nav, 'href="#contents"');
    // a heading with math shows it rendered in the contents too
    has(nav, /<a href="#gradient-descent-update-eta--01">Gradient-descent update \(<span class="katex">/);
    // the network and its 4 subsections; each example, its 3 parts and its timesteps forward
    // and backward (6 and 4 tokens); the batch and its 3 subsections; the gradient flow; the summary
    expect(nav.match(/<a href=/g)!.length).toBe(5 + (3 + 1 + 2 * 6) + (3 + 1 + 2 * 4) + 4 + 1 + 1);
    has(nav, '<li><a href="#gradient-flow">Gradient flow</a></li>');
  });

  it('keeps the Markdown\'s text and shows the worked numbers', () => {
    has(html, '<title>Vanilla RNN sentiment: forward pass and full BPTT</title>');
    has(html, '<h1 id="vanilla-rnn-sentiment-forward-pass-and-full-bptt">Vanilla RNN sentiment: forward pass and full BPTT</h1>');
    has(html, '<h3 id="example-1-t--4-book">Example 1, t = 4: “book”</h3>');
    has(html, '<li>Example 1: <a href="#example-1-forward-pass">forward pass</a> · <a href="#example-1-backpropagation-through-time">backpropagation through time</a> · <a href="#example-1-gradients">gradients</a></li>');
    has(html, '<code>ex1.t1.h</code>');
    const tex = texSources(html);
    expect(tex).toContain('L^{(1)} = L_{6} \\approx 0.3780');
    expect(tex.some((t) => t.includes('h_{4,1} &\\approx \\tanh(0.6460) \\approx 0.5689'))).toBe(true);
    // display math is a block of its own; tables scroll in a wrapper
    has(html, '<p class="katex-block"><span class="katex-display"><span class="katex">');
    has(html, '<div class="table-wrap">\n<table>');
  });

  it('inlines only the KaTeX fonts the page uses', () => {
    const families = new Set([...html.matchAll(/@font-face\{[^}]*font-family:(KaTeX_\w+)/g)].map((m) => m[1]));
    expect([...families].sort()).toEqual(expect.arrayContaining(['KaTeX_Caligraphic', 'KaTeX_Main', 'KaTeX_Math', 'KaTeX_Size1']));
    expect(families.has('KaTeX_Fraktur')).toBe(false);
    expect(families.has('KaTeX_Typewriter')).toBe(false);
    expect(html.length).toBeLessThan(6_000_000);
  });
});

describe('user text in the HTML', () => {
  const tokens = ['100%', '<b>', '$x', 'a_b', '{}', '\\', '&', '#', '~^', '|`*'];
  let html = '';
  beforeAll(() => {
    html = render(ESCAPING);
  }, 30_000);

  it('shows the title as typed, in the page title and the heading', () => {
    const title = 'Escaping check: 100% &lt;b&gt;bold&lt;/b&gt; $x &amp; a_b {} \\ # ~ ^ | `tick`';
    has(html, `<title>${title}</title>`);
    has(html, new RegExp(`<h1 id="[^"]*">${title.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}</h1>`));
    lacks(html, /<b[\s>]/i);
    lacks(html, /<\/b>/i);
  });

  it('shows every token as typed in headings, the contents and tables', () => {
    for (const t of tokens) {
      has(html, `<td>${esc(t)}</td>`);
      has(html, new RegExp(`<h3 id="[^"]*">Example \\d, t = \\d: “${esc(t).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}”</h3>`));
    }
    has(html, '<a href="#example-1-t--2-b">t = 2: “&lt;b&gt;”</a>');
    has(html, '<code>ex2.demb.|`*</code>');
  });

  it('shows every token as typed inside formulas, in MathML and in what is drawn', () => {
    const { mathml, visual } = formulaTexts(html);
    expect(visual.length).toBe(mathml.length);
    // `|`*`: KaTeX has no way to draw a backquote in text: \char"60 (and ` itself) always comes
    // out as the quotation mark ‘ (a KaTeX limitation; the Markdown writes \char"60{})
    for (const t of tokens.filter((t) => !t.includes('`'))) {
      expect(mathml.some((m) => m.includes(`e(${t})`)), t).toBe(true);
      expect(visual.some((m) => m.includes(`e(${t})`)), t).toBe(true);
    }
    expect(mathml.some((m) => m.includes('e(|‘*)'))).toBe(true);
  });
});

describe('the HTML renderer', () => {
  it('makes GitHub\'s heading ids', () => {
    expect(slug('Example 1: forward pass')).toBe('example-1-forward-pass');
    expect(slug('Example 1, t = 1: “i”')).toBe('example-1-t--1-i');
    expect(slug('Gradient-descent update (\\eta = 0.1)')).toBe('gradient-descent-update-eta--01');
    expect(slug('Ähnliche Wörter_2')).toBe('ähnliche-wörter_2');
  });

  it('numbers repeated headings and keeps the Markdown\'s links working', () => {
    const html = markdownToHtml('# T\n\n[a](#notes) [b](#notes-1)\n\n## Notes\n\n## Notes\n', { decimals: 4 });
    has(html, '<h2 id="notes">Notes</h2>');
    has(html, '<h2 id="notes-1">Notes</h2>');
    has(html, '<title>T</title>');
  });

  it('fails on a formula KaTeX cannot render, instead of drawing it in red', () => {
    expect(() => markdownToHtml('# T\n\nsee $\\frac{1}$\n', { decimals: 4 })).toThrow(/KaTeX could not render 1 formula of the HTML solution: KaTeX parse error: .* in "\\frac\{1\}"/);
    expect(() => markdownToHtml('$$\n\\notacommand x\n$$\n\nand $\\undefinedtoo$\n', { decimals: 4 })).toThrow(/could not render 2 formulas/);
    // strict: LaTeX-incompatible input is an error too
    expect(() => markdownToHtml('a $é$ b\n', { decimals: 4 })).toThrow(/KaTeX could not render 1 formula.*unicodeTextInMathMode/);
  });

  it('shows raw HTML in the Markdown as text', () => {
    const html = markdownToHtml('# <i>x</i>\n\n<script>alert(1)</script>\n', { decimals: 4 });
    has(html, '<h1 id="ixi">&lt;i&gt;x&lt;/i&gt;</h1>');
    lacks(html, /<script/);
  });
});

describe('--format html on the command line', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'unrolled-html-'));
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: IO = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) };
    const code = await main(args, io);
    return { code, out: out.join(''), err: err.join('') };
  };
  const files = (d: Record<string, string>) => {
    const root = tmp();
    for (const [name, text] of Object.entries(d)) {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    return root;
  };

  it('writes out/<name>.html', async () => {
    const out = tmp();
    const r = await run(['solve', 'fixtures/rnn-pytorch-small.yaml', '--format', 'html', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`wrote ${join(out, 'rnn-pytorch-small.html')}\n`);
    expect(readFileSync(join(out, 'rnn-pytorch-small.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
  }, 30_000);

  it('takes page templates from DIR/html and Markdown ones from DIR/md', () => {
    const dir = files({
      'html/header.hbs': '<p class="course">MATH 101, Homework 4</p>\n',
      'html/footer.hbs': '<footer>{{generator}}</footer>\n',
      'html/style.hbs': 'body { font-family: serif; }\n',
      'md/footer.hbs': '\n*Graded by the course team.*\n',
    });
    const html = render('fixtures/rnn-pytorch-small.yaml', 'html', dir);
    has(html, '<main>\n<p class="course">MATH 101, Homework 4</p>\n<h1 id=');
    has(html, '<p><em>Graded by the course team.</em></p>\n\n<footer>unrolled 0.1.0</footer>\n</main>');
    has(html, '<style>\nbody { font-family: serif; }\n</style>');
    has(html, '.katex{'); // KaTeX's stylesheet is not part of style.hbs
  }, 30_000);

  it('reads a DIR without format folders as Markdown templates only', () => {
    const html = render('fixtures/rnn-pytorch-small.yaml', 'html', files({ 'header.hbs': '**Course header**\n\n' }));
    has(html, '<main>\n<p><strong>Course header</strong></p>\n<h1 id=');
  }, 30_000);

  it('rejects an unknown page template with exit 2', async () => {
    const r = await run(['solve', SEED, '--format', 'html', '--templates', files({ 'html/heder.hbs': 'x' }), '--out', tmp()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/heder\.hbs: there is no html template named "heder" \(did you mean "header"\?\)/);
  }, 30_000);

  it('fails with exit 3 and writes nothing when a formula does not render', async () => {
    const out = tmp();
    const r = await run(['solve', 'fixtures/rnn-pytorch-small.yaml', '--format', 'html', '--templates', files({ 'md/footer.hbs': '\n$\\oops{x}$\n' }), '--out', out]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^unrolled: internal error: KaTeX could not render 1 formula of the HTML solution: .*\\oops/);
    expect(readdirSync(out)).toEqual([]);
  }, 30_000);
});

// ---------------------------------------------------------------------------------------
// In a browser: Debian's Chromium (never a downloaded one), driven by playwright-core.

function findChromium(): string | null {
  const candidates = ['/usr/bin/chromium', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'chromium'))];
  return candidates.find((p) => existsSync(p)) ?? null;
}
const CHROMIUM = findChromium();
const IN_CI = process.env.CI === 'true';
if (!CHROMIUM && !IN_CI) {
  console.warn('test/render/html.test.ts: Chromium not found (/usr/bin/chromium or chromium on PATH): the browser test is SKIPPED. Install Debian\'s chromium package to run it; with CI=true a missing Chromium fails.');
}

describe('the page in Chromium', () => {
  if (!CHROMIUM && IN_CI) {
    it('needs Chromium in CI', () => {
      throw new Error('Chromium is not installed (/usr/bin/chromium): the browser test cannot run, and in CI that is a failure (.ci/run installs it)');
    });
  }

  describe.skipIf(!CHROMIUM)('seed example', () => {
    const outDir = resolve('out');
    let profile = '';
    let file = '';
    let context: import('playwright-core').BrowserContext | null = null;
    let page: import('playwright-core').Page;
    const requests: string[] = [];
    const problems: string[] = [];

    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'unrolled-html-page-'));
      const r = await main(['solve', SEED, '--format', 'html', '--out', dir], { stdout: () => {}, stderr: (t) => void problems.push(t) });
      expect(r).toBe(0);
      file = join(dir, 'seed-rnn-sentiment.html');
      profile = mkdtempSync(join(tmpdir(), 'unrolled-chromium-'));
      const { chromium } = await import('playwright-core');
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM!,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        viewport: { width: 1280, height: 900 },
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('request', (req) => void requests.push(req.url()));
      page.on('console', (msg) => {
        if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
      });
      page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (req) => void problems.push(`request failed: ${req.url()}`));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.evaluate(() => document.fonts.ready);
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    it('opens without any request beyond the file, and without errors', () => {
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(problems).toEqual([]);
      expect(page.url()).toBe(pathToFileURL(file).href);
    });

    it('draws every formula with a size, and no KaTeX error', async () => {
      // lay out every formula, including those content-visibility: auto leaves for later
      await page.addStyleTag({ content: '.katex-block { content-visibility: visible !important; }' });
      const r = await page.evaluate(() => {
        const all = [...document.querySelectorAll('.katex')];
        const sized = all.filter((e) => {
          const b = e.getBoundingClientRect();
          return b.width > 0 && b.height > 0;
        });
        return { errors: document.querySelectorAll('.katex-error').length, all: all.length, sized: sized.length, displays: document.querySelectorAll('.katex-display').length };
      });
      expect(r.errors).toBe(0);
      expect(r.all).toBeGreaterThan(500);
      expect(r.sized).toBe(r.all);
      expect(r.displays).toBeGreaterThan(200);
      expect(problems).toEqual([]);
    });

    it('draws the formulas in KaTeX\'s own fonts, loaded from the page', async () => {
      await page.evaluate(() => document.fonts.ready);
      const r = await page.evaluate(() => {
        const faces = [...document.fonts];
        const used = new Map<string, string>();
        for (const el of document.querySelectorAll('.katex-html *')) {
          if (![...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim())) continue;
          const s = getComputedStyle(el);
          const family = s.fontFamily.split(',')[0]!.trim().replace(/^["']|["']$/g, '');
          used.set(`${s.fontStyle} ${s.fontWeight} 16px ${family}`, family);
        }
        return {
          main: document.fonts.check('16px KaTeX_Main') && document.fonts.check('italic 16px KaTeX_Math'),
          status: document.fonts.status,
          failed: faces.filter((f) => f.status === 'error').map((f) => f.family),
          loaded: [...new Set(faces.filter((f) => f.status === 'loaded').map((f) => f.family))].sort(),
          used: [...used].map(([font, family]) => ({ font, family, declared: faces.some((f) => f.family === family), ok: document.fonts.check(font) })),
        };
      });
      expect(r.status).toBe('loaded');
      expect(r.failed).toEqual([]);
      expect(r.main).toBe(true);
      expect(r.loaded).toEqual(expect.arrayContaining(['KaTeX_Main', 'KaTeX_Math', 'KaTeX_Size1']));
      expect(r.used.length).toBeGreaterThan(3);
      // every font a formula is drawn in is one the page declares (no family left out) and has loaded
      expect(r.used.filter((u) => !u.family.startsWith('KaTeX_') || !u.declared || !u.ok)).toEqual([]);
      expect(r.used.map((u) => u.family)).toEqual(expect.arrayContaining(['KaTeX_Main', 'KaTeX_Math']));
    });

    it('follows a contents link to its heading', async () => {
      await page.click('nav.toc a[href="#example-2-backward-at-t--1-i"]');
      const r = await page.evaluate(() => ({ hash: location.hash, top: document.getElementById('example-2-backward-at-t--1-i')!.getBoundingClientRect().top }));
      expect(r.hash).toBe('#example-2-backward-at-t--1-i');
      expect(r.top).toBeGreaterThanOrEqual(0);
      expect(r.top).toBeLessThan(40);
      await page.evaluate(() => window.scrollTo(0, 0));
    });

    it('fits a phone screen: wide formulas scroll inside their block, the page does not widen', async () => {
      mkdirSync(outDir, { recursive: true });
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.screenshot({ path: join(outDir, 'seed-rnn-sentiment.html.png') });
      await page.setViewportSize({ width: 390, height: 844 });
      const r = await page.evaluate(() => {
        const displays = [...document.querySelectorAll<HTMLElement>('.katex-display')];
        const b = document.getElementById('example-1-t--1-i')!;
        b.scrollIntoView();
        return {
          page: document.documentElement.scrollWidth,
          viewport: window.innerWidth,
          scrolling: displays.filter((d) => d.scrollWidth > d.clientWidth + 1 && getComputedStyle(d).overflowX === 'auto').length,
        };
      });
      expect(r.page).toBeLessThanOrEqual(r.viewport);
      expect(r.scrolling).toBeGreaterThan(10);
      await page.screenshot({ path: join(outDir, 'seed-rnn-sentiment.html.phone.png') });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(outDir, 'seed-rnn-sentiment.html.phone-top.png') });
      expect(existsSync(join(outDir, 'seed-rnn-sentiment.html.png'))).toBe(true);
      expect(problems).toEqual([]);
    });
  });
});
