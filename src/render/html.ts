// --format html: one self-contained page. The Markdown solution is turned into HTML by
// markdown-it, every formula is rendered by KaTeX here (no JavaScript in the page), and
// KaTeX's CSS and the fonts the page uses are inlined as data: URLs, so the file opens
// offline without a single network request. The page around the body is drawn by the
// templates of templates/html/ (solution, header, footer, style, toc, toc-list).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Env as MarkdownEnv, MarkdownIt, StateCore, Token } from 'markdown-it';
import type * as Katex from 'katex';
import type { Trace } from '../trace/types.js';
import { VERSION } from '../version.js';
import { createRenderer } from './handlebars.js';
import { renderMarkdown, type Detail } from './markdown.js';
import { acceptChartUrls } from './flow.js';

// markdown-it and KaTeX are loaded on first use, so that the other formats do not pay for them
const require = createRequire(import.meta.url);

export interface HtmlOptions {
  decimals: number;
  detail: Detail;
  /** `--templates DIR`: DIR/md/ (or DIR itself) for the Markdown, DIR/html/ for the page */
  templates?: string | null;
}

export function renderHtml(trace: Trace, opts: HtmlOptions): string {
  const markdown = renderMarkdown(trace, opts);
  return markdownToHtml(markdown, { decimals: opts.decimals, templates: pageOverrides(opts.templates ?? null), title: trace.title, source: trace.source });
}

/** Page templates are only read from DIR/html/: a DIR without format folders holds Markdown ones. */
export function pageOverrides(dir: string | null): string | null {
  if (dir === null) return null;
  const html = join(dir, 'html');
  return existsSync(html) && statSync(html).isDirectory() ? dir : null;
}

/** One entry of the table of contents; `label` is HTML. */
export interface TocEntry {
  id: string;
  label: string;
  children: TocEntry[];
}

/** The data templates/html/solution.hbs receives. Every string in it is HTML, already escaped. */
export interface PageView {
  title: string;
  source: string;
  generator: string;
  lang: string;
  /** KaTeX's stylesheet with the fonts this page uses inlined */
  katexCss: string;
  toc: TocEntry[];
  body: string;
}

/** A KaTeX error of one formula: the message and the TeX it came from. */
interface MathError {
  tex: string;
  message: string;
}

interface Heading {
  level: number;
  id: string;
  inline: Token;
}

/** markdown-it's render environment: the headings, collected while parsing */
interface Env extends MarkdownEnv {
  headings: Heading[];
  /** put before every heading id and every link to one (see markdownToHtmlBody) */
  idPrefix?: string;
}

/** A Markdown document as HTML, without the page around it. */
export interface HtmlBody {
  body: string;
  /** the first level-1 heading as plain text (not escaped), or null */
  title: string | null;
  toc: TocEntry[];
}

/**
 * The Markdown as the HTML of a page's body, every formula rendered by KaTeX; throws when
 * KaTeX cannot render one. `idPrefix` goes before every heading id and every `#` link, so
 * that several documents can share one page (src/render/pages.ts); without it nothing changes.
 */
export function markdownToHtmlBody(markdown: string, opts: { idPrefix?: string } = {}): HtmlBody {
  const errors: MathError[] = [];
  const md = markdownIt(errors);
  const env: Env = opts.idPrefix ? { headings: [], idPrefix: opts.idPrefix } : { headings: [] };
  const body = md.render(markdown, env);
  const toc = tableOfContents(md, env);
  // (user text cannot make a class attribute: markdown-it escapes its quotes)
  if (errors.length || /class="[^"]*\bkatex-error\b/.test(body)) {
    const first = errors[0];
    const where = first ? `: ${first.message.split('\n')[0]} in "${first.tex.length > 120 ? first.tex.slice(0, 120) + '…' : first.tex}"` : '';
    throw new Error(`KaTeX could not render ${errors.length || 'some'} formula${errors.length === 1 ? '' : 's'} of the HTML solution${where}`);
  }
  const h1 = env.headings.find((h) => h.level === 1);
  return { body, title: h1 ? plainText(h1.inline.children ?? []) : null, toc };
}

export function markdownToHtml(
  markdown: string,
  opts: { decimals: number; templates?: string | null; title?: string | null; source?: string | null },
): string {
  const { body, title: h1, toc } = markdownToHtmlBody(markdown);
  const title = opts.title || h1 || 'Worked solution';
  const view: PageView = {
    title: escapeHtml(title),
    source: escapeHtml(opts.source ?? ''),
    generator: `unrolled ${VERSION}`,
    lang: 'en',
    katexCss: katexCss(body),
    toc,
    body,
  };
  const render = createRenderer('html', opts.decimals, opts.templates ?? null);
  return render(view);
}

function markdownIt(errors: MathError[]): MarkdownIt {
  const MarkdownItCtor = require('markdown-it') as (options: object) => MarkdownIt;
  const katex = require('katex') as typeof Katex;
  const plugin = require('@vscode/markdown-it-katex') as { default: (md: MarkdownIt, options: object) => void };
  // raw HTML in the Markdown is shown as text: user text can never become a tag
  const md = MarkdownItCtor({ html: false, linkify: false, typographer: false });
  // the gradient-flow chart is an SVG data: URL (an <img>: no script runs in it); the
  // page's CSP allows img-src data:
  acceptChartUrls(md);
  // The plugin catches KaTeX's errors and draws them in red; this KaTeX records every one
  // (strict, throwOnError) so that the render fails instead.
  const strictKatex = {
    ...katex,
    renderToString(tex: string, options?: Katex.KatexOptions): string {
      try {
        return katex.renderToString(tex, { displayMode: Boolean(options?.displayMode), throwOnError: true, strict: 'error', trust: false, output: 'htmlAndMathml' });
      } catch (e) {
        errors.push({ tex, message: e instanceof Error ? e.message : String(e) });
        throw e;
      }
    },
  };
  plugin.default(md, { katex: strictKatex });
  md.core.ruler.push('heading_ids', headingIds);
  md.core.ruler.push('anchor_prefix', anchorPrefix);
  // tables scroll sideways inside their block on a narrow screen
  md.renderer.rules.table_open = () => '<div class="table-wrap">\n<table>\n';
  md.renderer.rules.table_close = () => '</table>\n</div>\n';
  return md;
}

/**
 * Every heading gets an id like GitHub's: the text in lower case, punctuation dropped,
 * spaces as hyphens, `-1`, `-2`, … after a repeated one. The Markdown's own contents
 * links (`#example-1-forward-pass`) therefore work in the HTML too.
 */
function headingIds(state: StateCore): void {
  const env = state.env as Env;
  const seen = new Set<string>();
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const open = tokens[i]!;
    if (open.type !== 'heading_open') continue;
    const inline = tokens[i + 1]!;
    const id = (env.idPrefix ?? '') + uniqueSlug(slug(plainText(inline.children ?? [])), seen);
    open.attrSet('id', id);
    env.headings?.push({ level: Number(open.tag.slice(1)), id, inline });
  }
}

/** With an id prefix: links within the document (`#questions`) point at the prefixed ids. */
function anchorPrefix(state: StateCore): void {
  const prefix = (state.env as Env).idPrefix;
  if (!prefix) return;
  const visit = (tokens: Token[]) => {
    for (const t of tokens) {
      if (t.type === 'link_open') {
        const href = String(t.attrGet('href') ?? '');
        if (href.startsWith('#')) t.attrSet('href', `#${encodeURIComponent(prefix)}${href.slice(1)}`);
      }
      if (t.children) visit(t.children);
    }
  };
  visit(state.tokens);
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

function uniqueSlug(base: string, seen: Set<string>): string {
  const root = base || 'section';
  let id = root;
  for (let n = 1; seen.has(id); n++) id = `${root}-${n}`;
  seen.add(id);
  return id;
}

/** The text of inline tokens as a reader sees it (math as its TeX). */
function plainText(tokens: Token[]): string {
  return tokens
    .map((t) => {
      if (t.type === 'softbreak' || t.type === 'hardbreak') return ' ';
      if (t.children) return plainText(t.children);
      return ['text', 'text_special', 'code_inline', 'math_inline'].includes(t.type) ? t.content : '';
    })
    .join('');
}

/**
 * The table of contents, from the level-2 and level-3 headings: a run of sections named
 * "X: …" (Example 1: forward pass, Example 1: backpropagation …) becomes one entry X with
 * the sections under it, and "X, " is dropped from the names of their subsections
 * (timesteps). The Markdown's own "Contents" section is left out.
 */
function tableOfContents(md: MarkdownIt, env: Env): TocEntry[] {
  const label = (h: Heading) => md.renderer.renderInline(h.inline.children ?? [], md.options, env).trim();
  const sections: { entry: TocEntry; prefix: string | null }[] = [];
  for (const h of env.headings) {
    if (h.level === 2) {
      if (h.id === `${env.idPrefix ?? ''}contents`) continue;
      const m = /^([^:]+): \S/.exec(h.inline.children?.[0]?.type === 'text' ? h.inline.children[0].content : '');
      sections.push({ entry: { id: h.id, label: label(h), children: [] }, prefix: m ? m[1]! : null });
    } else if (h.level === 3 && sections.length) {
      sections[sections.length - 1]!.entry.children.push({ id: h.id, label: label(h), children: [] });
    }
  }
  const toc: TocEntry[] = [];
  for (let i = 0; i < sections.length; ) {
    const { prefix } = sections[i]!;
    let j = i + 1;
    while (prefix !== null && j < sections.length && sections[j]!.prefix === prefix) j++;
    if (j - i < 2) {
      toc.push(sections[i]!.entry);
      i++;
      continue;
    }
    const p = escapeHtml(prefix!);
    const children = sections.slice(i, j).map(({ entry }) => ({
      ...entry,
      label: capitalize(stripPrefix(entry.label, `${p}: `)),
      children: entry.children.map((c) => ({ ...c, label: capitalize(stripPrefix(c.label, `${p}, `)) })),
    }));
    toc.push({ id: children[0]!.id, label: p, children });
    i = j;
  }
  return toc;
}

const stripPrefix = (html: string, prefix: string) => (html.startsWith(prefix) ? html.slice(prefix.length) : html);
/** "forward pass" → "Forward pass", but "t = 1" stays */
const capitalize = (html: string) => (/^[a-z]{2}/.test(html) ? html[0]!.toUpperCase() + html.slice(1) : html);

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

let katexSheet: { css: string; fonts: Map<string, string> } | null = null;

/**
 * KaTeX's stylesheet with its @font-face rules pointing at data: URLs (woff2, which every
 * browser that runs KaTeX reads). A font family is included only when the body uses a
 * class that selects it (KaTeX_Main always: it is the font of .katex).
 */
export function katexCss(body: string): string {
  if (katexSheet === null) {
    const file = require.resolve('katex/dist/katex.min.css');
    const fonts = new Map<string, string>();
    const css = readFileSync(file, 'utf8').replace(/@font-face\{[^}]*\}/g, (face) => {
      const woff2 = /url\((fonts\/[^)]+\.woff2)\)/.exec(face);
      if (!woff2) throw new Error(`KaTeX's stylesheet has a font without a woff2 file: ${face}`);
      const data = readFileSync(join(dirname(file), woff2[1]!)).toString('base64');
      const rule = face.replace(/src:[^;}]*/, `src:url(data:font/woff2;base64,${data}) format("woff2")`);
      const key = `\u0000${fonts.size}\u0000`;
      fonts.set(key, rule);
      return key;
    });
    katexSheet = { css, fonts };
  }
  const used = usedFamilies(katexSheet.css, body);
  let css = katexSheet.css;
  for (const [key, rule] of katexSheet.fonts) {
    const family = /font-family:\s*"?([\w-]+)/.exec(rule)?.[1] ?? '';
    css = css.replace(key, used.has(family) ? rule : '');
  }
  if (/url\((?!data:)/.test(css)) throw new Error('KaTeX\'s stylesheet refers to a file that was not inlined');
  return css;
}

function usedFamilies(css: string, body: string): Set<string> {
  const classes = new Set<string>();
  for (const m of body.matchAll(/class="([^"]*)"/g)) for (const c of m[1]!.split(/\s+/)) if (c) classes.add(c);
  const used = new Set<string>();
  if (!classes.has('katex')) return used;
  used.add('KaTeX_Main');
  for (const m of css.matchAll(/([^{}]+)\{([^{}]*KaTeX_[^{}]*)\}/g)) {
    const selectors = m[1]!.split(',');
    const selected = selectors.some((s) => [...s.matchAll(/\.([\w-]+)/g)].every((c) => classes.has(c[1]!)));
    if (!selected) continue;
    for (const f of m[2]!.matchAll(/KaTeX_\w+/g)) used.add(f[0]);
  }
  return used;
}
