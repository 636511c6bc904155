// --format tex: a complete LaTeX document (article, amsmath, booktabs) that pdflatex
// compiles. The Markdown solution is parsed by markdown-it (with a small math rule that keeps
// `$…$` and `$$…$$` as raw TeX) and its tokens are written as LaTeX: headings become
// unnumbered sections with labels, the contents list links to them, GFM tables become
// booktabs longtables (split by columns or wrapped when too wide), and every display formula
// goes through \unrolleddisplay (templates/tex/preamble.hbs), which measures it in TeX and,
// when it is wider than the line, breaks it at its relations (one `=` or `≈` per line),
// shrinks it a little, or as a last resort lets it flow over several lines at its `+`.
// The document around the body is drawn by templates/tex/ (solution, preamble, header, footer).
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { MarkdownIt, StateBlock, StateInline, Token } from 'markdown-it';
import type { Trace } from '../trace/types.js';
import { VERSION } from '../version.js';
import { createRenderer } from './handlebars.js';
import { renderMarkdown, type Detail } from './markdown.js';
import { acceptChartUrls, layout, plotFromDataUrl, type PlotData } from './flow.js';
import { LATEX_RESERVED } from './latex.js';

// markdown-it is loaded on first use, so that the other formats do not pay for it
const require = createRequire(import.meta.url);

export interface TexOptions {
  decimals: number;
  detail: Detail;
  /** `--templates DIR`: DIR/md/ (or DIR itself) for the Markdown, DIR/tex/ for the document */
  templates?: string | null;
}

/** The data templates/tex/solution.hbs receives. Every string in it is LaTeX, already escaped. */
export interface TexView {
  /** the title (the Markdown's first level-1 heading) */
  title: string;
  /** the title as plain text for the PDF's metadata (\hypersetup{pdftitle=…}) */
  pdfTitle: string;
  /** the problem file's path, escaped */
  source: string;
  generator: string;
  /** the solution after its title */
  body: string;
}

export function renderTex(trace: Trace, opts: TexOptions): string {
  const markdown = renderMarkdown(trace, opts);
  const { title, pdfTitle, body } = markdownToLatex(markdown);
  const view: TexView = {
    title: title ?? latexText(trace.title ?? 'Worked solution'),
    pdfTitle: pdfTitle ?? pdfText(trace.title ?? 'Worked solution'),
    source: latexText(trace.source),
    generator: `unrolled ${VERSION}`,
    body,
  };
  const render = createRenderer('tex', opts.decimals, texOverrides(opts.templates ?? null));
  return tidyTex(render(view));
}

/** A rendered LaTeX document's whitespace: no trailing spaces, no runs of blank lines, one final newline. */
export function tidyTex(tex: string): string {
  return tex.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').replace(/\s*$/, '\n');
}

/** `--templates DIR` applies to the LaTeX document only through DIR/tex/ (DIR itself is Markdown). */
export function texOverrides(dir: string | null): string | null {
  if (dir === null) return null;
  const tex = join(dir, 'tex');
  return existsSync(tex) && statSync(tex).isDirectory() ? dir : null;
}

// ---------------------------------------------------------------------------------------
// Text

const TEXT_SPECIAL: Record<string, string> = {
  ...LATEX_RESERVED,
  // T1 has glyphs for these, but also ligatures (<< >> for guillemets, !` ?` for ¡ ¿)
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  '`': '\\textasciigrave{}',
  '"': '\\textquotedbl{}',
};

/**
 * Characters outside ASCII: those LaTeX's utf8 input and the T1/TS1 fonts print are kept;
 * Greek letters and mathematical symbols are written as math; anything else (a script the
 * fonts do not have) is shown as its code point rather than failing the compile.
 */
const UNICODE_MATH: Record<string, string> = {
  '≈': '\\approx', '×': '\\times', '−': '-', '→': '\\rightarrow', '←': '\\leftarrow', '↦': '\\mapsto',
  '∂': '\\partial', '⊙': '\\odot', '∇': '\\nabla', '∑': '\\sum', '∏': '\\prod', '∈': '\\in', '∞': '\\infty',
  '≤': '\\leq', '≥': '\\geq', '≠': '\\neq', '±': '\\pm', '√': '\\surd', '⋅': '\\cdot', '∘': '\\circ',
  '⊤': '\\top', '′': '\\prime', '∀': '\\forall', '∃': '\\exists', '∅': '\\emptyset', '∩': '\\cap',
  '∪': '\\cup', '⊂': '\\subset', '⊆': '\\subseteq', '≡': '\\equiv', '∼': '\\sim', '⇒': '\\Rightarrow',
  '⇔': '\\Leftrightarrow', '↔': '\\leftrightarrow', '⟨': '\\langle', '⟩': '\\rangle', '‖': '\\|',
  'ŷ': '\\hat{y}', 'ℝ': '\\mathbb{R}', 'ℓ': '\\ell',
};
const GREEK = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma sigma tau upsilon phi chi psi omega'.split(' ');
/** capital Greek letters: TeX's command, or the Latin capital that looks the same */
const GREEK_CAPS = 'A B \\Gamma \\Delta E Z H \\Theta I K \\Lambda M N \\Xi O \\Pi P - \\Sigma T \\Upsilon \\Phi X \\Psi \\Omega'.split(' ');
for (let i = 0; i < GREEK.length; i++) {
  UNICODE_MATH[String.fromCodePoint(0x3b1 + i)] = GREEK[i] === 'o' ? 'o' : `\\${GREEK[i]}`;
  const cap = GREEK_CAPS[i]!;
  if (cap !== '-') UNICODE_MATH[String.fromCodePoint(0x391 + i)] = cap.startsWith('\\') ? cap : `\\mathrm{${cap}}`;
}
Object.assign(UNICODE_MATH, { 'ε': '\\varepsilon', 'ϵ': '\\epsilon', 'φ': '\\varphi', 'ϕ': '\\phi', 'ϑ': '\\vartheta' });
const UNICODE_TEXT: Record<string, string> = {
  '\u00a0': '~', '·': '\\textperiodcentered{}', '…': '\\dots{}', '•': '\\textbullet{}', '€': '\\texteuro{}',
  '‘': '\\textquoteleft{}', '’': '\\textquoteright{}', '“': '\\textquotedblleft{}', '”': '\\textquotedblright{}',
  '–': '\\textendash{}', '—': '\\textemdash{}', '„': '\\quotedblbase{}', '‚': '\\quotesinglbase{}',
  '‹': '\\guilsinglleft{}', '›': '\\guilsinglright{}', '«': '\\guillemotleft{}', '»': '\\guillemotright{}',
  '†': '\\textdagger{}', '‡': '\\textdaggerdbl{}', '‰': '\\textperthousand{}', '°': '\\textdegree{}',
  '\u2009': '\\,', '\u200b': '', '\u2212': '\\textminus{}', '₀': '\\textsubscript{0}', '₁': '\\textsubscript{1}',
  '₂': '\\textsubscript{2}', '₃': '\\textsubscript{3}', '¹': '\\textonesuperior{}', '²': '\\texttwosuperior{}', '³': '\\textthreesuperior{}',
};
/** Latin-1 and Latin Extended-A letters that T1 (with LaTeX's utf8 input) prints */
const LATIN = /[\u00a1-\u00ff\u0100-\u017f]/u;
const LATIN_MISSING = new Set(['\u00ad', '\u0138', '\u0149', '\u017f', '\u0132', '\u0133', '\u013f', '\u0140', '\u0166', '\u0167']);

/** One non-ASCII character; in math (where it may also stand inside \text{…}) as what works in both modes. */
function unicodeChar(c: string, inMath: boolean): string {
  const m = UNICODE_MATH[c];
  if (m !== undefined) return `\\ensuremath{${m}}`;
  const t = UNICODE_TEXT[c];
  const latin = LATIN.test(c) && !LATIN_MISSING.has(c);
  const cp = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  const text = t ?? (latin ? c : `\\unrolledunknown{${cp}}`);
  return inMath ? `\\text{${text}}` : text;
}

/** Plain text (already unescaped from Markdown) as LaTeX text that prints exactly as typed. */
export function latexText(s: string): string {
  let out = '';
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const special = TEXT_SPECIAL[c];
    if (special !== undefined) out += special;
    else if (c.charCodeAt(0) >= 0x80) out += unicodeChar(c, false);
    // ligatures that would change what was typed: -- (en dash), '' and ,, (quotes)
    else if ((c === '-' || c === "'" || c === ',') && chars[i + 1] === c) out += c + '{}';
    else out += c;
  }
  return out;
}

/** Text in a code span: typewriter, with a break allowed after `.` `_` `/` (long ids). */
function codeText(s: string): string {
  const t = latexText(s).replace(/'/g, '\\textquotesingle{}');
  return `\\texttt{${t.replace(/(\.|\\_|\/)(?!$)/g, '$1\\allowbreak{}')}}`;
}

/**
 * Text for PDF metadata and bookmarks (hyperref's PDF strings): TeX's special characters
 * escaped, everything else as it is (hyperref writes any Unicode character there).
 */
export function pdfText(s: string): string {
  return s.replace(/[\\{}$&#^_~%]/g, (c) => TEXT_SPECIAL[c]!).replace(/[\x00-\x1f\x7f]/g, ' ');
}

// ---------------------------------------------------------------------------------------
// Math

/**
 * Math source from the Markdown, for pdflatex: non-ASCII characters become commands, and
 * inside \text{…} the characters T1 would turn into ligatures or other glyphs are written
 * by name (a backtick, escaped for Markdown as \char"60{}, becomes \textasciigrave).
 */
export function texMath(src: string): string {
  let s = src.replace(/\\char"60\{\}/g, '\\textasciigrave{}').replace(/\\char"60\b ?/g, '\\textasciigrave{}');
  s = fixTextGroups(s);
  let out = '';
  for (const c of s) out += c.charCodeAt(0) < 0x80 ? c : unicodeChar(c, true);
  return out;
}

/** Inside every \text{…} group: < > | - ' , written so that no ligature forms. */
function fixTextGroups(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const m = /\\text\{/y;
    m.lastIndex = i;
    if (m.test(s)) {
      const start = i + 6;
      let depth = 1;
      let j = start;
      for (; j < s.length && depth > 0; j++) {
        if (s[j] === '\\') j++;
        else if (s[j] === '{') depth++;
        else if (s[j] === '}') depth--;
      }
      const inner = s.slice(start, j - 1);
      out += `\\text{${fixTextInner(inner)}}`;
      i = j;
    } else {
      out += s[i];
      i++;
    }
  }
  return out;
}

function fixTextInner(inner: string): string {
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '\\') {
      // a control sequence: copy it whole
      const m = /^\\([A-Za-z]+|.)/s.exec(inner.slice(i))!;
      out += m[0];
      i += m[0].length - 1;
      continue;
    }
    if (c === '<') out += '\\textless{}';
    else if (c === '>') out += '\\textgreater{}';
    else if (c === '|') out += '\\textbar{}';
    else if (c === '"') out += '\\textquotedbl{}';
    else if ((c === '-' || c === "'" || c === ',') && inner[i + 1] === c) out += c + '{}';
    else out += c;
  }
  return out;
}

const RELATIONS = new Set(['=', '<', '>', '\\approx', '\\leq', '\\le', '\\geq', '\\ge', '\\neq', '\\ne', '\\equiv', '\\sim', '\\simeq', '\\leftarrow', '\\gets', '\\coloneqq']);
/** delimiters sized by hand: their parentheses may open on one row and close on another */
const SIZED = /^\\(?:big|Big|bigg|Bigg)[lrm]?$/;

export interface Piece {
  kind: 'rel' | 'bin' | 'amp' | 'row' | 'quad' | 'other';
  text: string;
}

/**
 * The top-level pieces of a formula: relations, binary + and −, `&`, `\\`, \quad and
 * \qquad, and everything between them. Groups, environments, \left…\right and ordinary
 * parentheses are never cut: `(1 - h^2)` and `\underbrace{…}_{…}` stay whole.
 */
export function mathPieces(s: string): Piece[] {
  const out: Piece[] = [];
  let depth = 0;
  let parens = 0;
  let other = '';
  const flush = () => {
    if (other !== '') out.push({ kind: 'other', text: other });
    other = '';
  };
  const push = (kind: Piece['kind'], text: string) => {
    flush();
    out.push({ kind, text });
  };
  /** a + or − is binary after an operand, unary after nothing, a relation, `&` or an operator */
  const afterOperand = (): boolean => {
    if (other.trim() !== '') return !/[([,;]\s*$/.test(other);
    for (let k = out.length - 1; k >= 0; k--) {
      const p = out[k]!;
      if (p.kind === 'other' && p.text.trim() === '') continue;
      return p.kind === 'other';
    }
    return false;
  };
  let i = 0;
  let sized = false;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      const m = /^\\([A-Za-z]+\*?|[\s\S])/.exec(s.slice(i))!;
      const cs = m[0];
      const name = m[1]!;
      i += cs.length;
      if (name === 'begin' || name === 'left') depth++;
      else if (name === 'end' || name === 'right') depth--;
      else if (depth === 0 && parens === 0) {
        if (RELATIONS.has(cs)) {
          push('rel', cs);
          continue;
        }
        if (cs === '\\\\') {
          push('row', cs);
          continue;
        }
        if (cs === '\\qquad' || cs === '\\quad') {
          push('quad', cs);
          continue;
        }
      }
      sized = SIZED.test(cs);
      other += cs;
      continue;
    }
    const wasSized = sized && c !== ' ';
    if (c !== ' ') sized = false;
    i++;
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (depth === 0 && !wasSized && (c === '(' || c === '[')) parens++;
    else if (depth === 0 && !wasSized && (c === ')' || c === ']')) parens = Math.max(0, parens - 1);
    else if (depth === 0 && parens === 0) {
      if (c === '=' || c === '<' || c === '>') {
        push('rel', c);
        continue;
      }
      if (c === '&') {
        push('amp', c);
        continue;
      }
      if ((c === '+' || c === '-') && afterOperand()) {
        push('bin', c);
        continue;
      }
    }
    other += c;
  }
  flush();
  return out;
}

const joinPieces = (ps: Piece[]) => ps.map((p) => p.text).join('').replace(/\s+/g, ' ').trim();
const blank = (p: Piece) => p.kind === 'other' && p.text.trim() === '';

/** Split a list of pieces at the pieces of one kind. */
function splitAt(ps: Piece[], kind: Piece['kind']): Piece[][] {
  const out: Piece[][] = [[]];
  for (const p of ps) {
    if (p.kind === kind) out.push([]);
    else out[out.length - 1]!.push(p);
  }
  return out;
}

/** `rel a rel b …` → [`rel a`, `rel b`, …]: a relation and what follows it, up to the next. */
function byRelation(ps: Piece[]): string[] {
  const out: string[] = [];
  let cur: Piece[] = [];
  for (const p of ps) {
    if (p.kind === 'rel' && cur.some((q) => !blank(q))) {
      out.push(joinPieces(cur));
      cur = [];
    }
    cur.push(p);
  }
  if (cur.some((q) => !blank(q))) out.push(joinPieces(cur));
  return out;
}

const ALIGNED = /^\s*\\begin\{aligned\}([\s\S]*)\\end\{aligned\}\s*$/;

/**
 * Rows for one line of math without `&`: equations side by side (`a = b, \quad c = d`)
 * each on rows of their own, every relation after an equation's first starting a row.
 */
function equationRows(ps: Piece[]): string[] {
  const hasRel = (g: Piece[]) => g.some((p) => p.kind === 'rel');
  const equations: Piece[][] = [];
  for (const seg of splitAt(ps, 'quad')) {
    const cur = equations[equations.length - 1];
    if (cur && !(hasRel(cur) && hasRel(seg))) cur.push({ kind: 'other', text: ' \\quad ' }, ...seg);
    else equations.push(seg);
  }
  const rows: string[] = [];
  for (const eq of equations) {
    const k = eq.findIndex((p) => p.kind === 'rel');
    if (k < 0) {
      rows.push(joinPieces(eq));
      continue;
    }
    const [first, ...rest] = byRelation(eq.slice(k));
    rows.push(`${joinPieces(eq.slice(0, k))} &${first!}`, ...rest.map((r) => `&${r}`));
  }
  return rows;
}

/**
 * The formula broken at its relations, one per line and aligned on them (`a &= b \\ &≈ c`);
 * null when there is nothing to break. In an aligned block, a row `lhs &= a = b` becomes
 * `lhs &= a \\ &= b`; rows with notes (`&&`) stay as they are.
 */
export function breakAtRelations(src: string): string | null {
  const m = ALIGNED.exec(src);
  const rows: string[] = [];
  let changed = false;
  for (const row of m ? splitAt(mathPieces(m[1]!), 'row') : [mathPieces(src)]) {
    const amps = row.filter((p) => p.kind === 'amp').length;
    if (amps > 1 || (m && amps === 0)) {
      rows.push(joinPieces(row));
      continue;
    }
    const split = equationRows(row.filter((p) => p.kind !== 'amp'));
    if (split.length > 1) changed = true;
    rows.push(...(split.length > 1 || !m ? split : [joinPieces(row)]));
  }
  if (!changed) return null;
  return `\\begin{aligned}\n${rows.join(' \\\\\n')}\n\\end{aligned}`;
}

/**
 * The formula as flowing lines, the last resort for one too wide even when broken at its
 * relations: each row of an aligned block is a paragraph of its own, every top-level term a
 * box (shrunk only if it alone is wider than the line), with line breaks allowed after every
 * relation and every binary + and −.
 */
export function flowLines(src: string): string {
  const m = ALIGNED.exec(src);
  const rows = m ? splitAt(mathPieces(m[1]!), 'row') : [mathPieces(src)];
  const lines: string[] = [];
  for (const row of rows) {
    let line = '';
    for (const p of row) {
      if (p.kind === 'amp' || blank(p)) continue;
      if (p.kind === 'rel' || p.kind === 'bin') line += ` ${p.text} `;
      else if (p.kind === 'quad') line += ' \\qquad\\allowbreak ';
      else line += `\\unrolledterm{${p.text.trim()}}`;
    }
    // a row that continues the one above (`&= …`) is indented further
    const continues = row.findIndex((p) => !blank(p)) === row.findIndex((p) => p.kind === 'amp') && row.some((p) => p.kind === 'amp');
    if (line.trim()) lines.push(`\\unrolledflow${continues ? 'more' : 'line'}{${line.trim()}}`);
  }
  return lines.join('\n');
}

/**
 * A display formula, for \unrolleddisplay{as written}{broken at relations}{flowing}: TeX
 * measures and takes the first that fits the line (templates/tex/preamble.hbs).
 */
export function displayMath(src: string): string {
  const tex = texMath(src.trim());
  const broken = breakAtRelations(tex);
  return `\\unrolleddisplay{%\n${alignedMacro(tex)}%\n}{%\n${broken === null ? '' : alignedMacro(broken)}%\n}{%\n${flowLines(broken ?? tex)}%\n}`;
}

/**
 * `\begin{aligned}…\end{aligned}` as `\unrolledaligned{…}`: the same, except that a block
 * taller than a good part of the page is set as align*, which can break across pages.
 */
function alignedMacro(tex: string): string {
  const m = ALIGNED.exec(tex);
  return m ? `\\unrolledaligned{${m[1]!.replace(/^\n/, '').replace(/\n$/, '')}}` : tex;
}

// ---------------------------------------------------------------------------------------
// Markdown → LaTeX

function mathBlockRule(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const line = (n: number) => state.src.slice(state.bMarks[n]! + state.tShift[n]!, state.eMarks[n]!);
  if (line(startLine).trim() !== '$$') return false;
  let end = startLine + 1;
  while (end < endLine && line(end).trim() !== '$$') end++;
  if (end >= endLine) return false;
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = state.getLines(startLine + 1, end, state.sCount[startLine]!, false);
  token.map = [startLine, end + 1];
  token.markup = '$$';
  state.line = end + 1;
  return true;
}

function mathInlineRule(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  if (src.charCodeAt(state.pos) !== 0x24) return false;
  let i = state.pos + 1;
  while (i < state.posMax) {
    const c = src.charCodeAt(i);
    if (c === 0x5c) i += 2;
    else if (c === 0x24) break;
    else i++;
  }
  if (i >= state.posMax || i === state.pos + 1) return false;
  if (!silent) {
    const token = state.push('math_inline', 'math', 0);
    token.content = src.slice(state.pos + 1, i);
    token.markup = '$';
  }
  state.pos = i + 1;
  return true;
}

let parser: MarkdownIt | null = null;
function markdownIt(): MarkdownIt {
  if (parser) return parser;
  const MarkdownItCtor = require('markdown-it') as (options: object) => MarkdownIt;
  const md = MarkdownItCtor({ html: false, linkify: false, typographer: false });
  md.block.ruler.before('fence', 'math_block', mathBlockRule, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.inline.ruler.before('escape', 'math_inline', mathInlineRule);
  // the gradient-flow chart: drawn again from its data URL (see inlineToLatex)
  acceptChartUrls(md);
  parser = md;
  return md;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A label LaTeX and hyperref accept, from an anchor. */
const label = (anchor: string) =>
  'sec:' + [...anchor].map((c) => (/[a-z0-9-]/.test(c) ? c : `.${c.codePointAt(0)!.toString(16)}.`)).join('');

/** The plain text of inline tokens (for anchors); math as its source. */
function plainOf(tokens: Token[]): string {
  return tokens.map((t) => (t.type === 'text' || t.type === 'code_inline' || t.type === 'math_inline' ? t.content : t.children ? plainOf(t.children) : '')).join('');
}

/** Inline tokens as a PDF string (the document's title in its metadata). */
function pdfOf(tokens: Token[]): string {
  return tokens.map((t) => (t.type === 'math_inline' ? mathBookmark(t.content) : t.type === 'text' || t.type === 'code_inline' ? pdfText(t.content) : t.children ? pdfOf(t.children) : '')).join('');
}

/** TeX commands as the characters they print, for bookmarks */
const COMMAND_CHARS: Record<string, string> = Object.fromEntries(
  Object.entries(UNICODE_MATH)
    .filter(([, tex]) => /^\\[A-Za-z]+$/.test(tex))
    .map(([c, tex]) => [tex.slice(1), c]),
);
Object.assign(COMMAND_CHARS, { epsilon: 'ε', phi: 'φ', ell: 'ℓ', cdot: '·', top: '⊤', log: 'log', exp: 'exp', tanh: 'tanh', sigma: 'σ' });
/** the escapes of user text inside math, as the characters they stand for */
const MATH_TEXT_ESCAPES: [RegExp, string][] = [
  [/\\textbackslash\{\}/g, '\\'], [/\\textasciitilde\{\}/g, '~'], [/\\textasciicircum\{\}/g, '^'], [/\\char"60\{\}/g, '`'],
  [/\\textasciigrave\{\}/g, '`'], [/\\([{}$&#_%])/g, '$1'],
];

/** Math as plain text for a PDF bookmark: \eta = 0.1 → η = 0.1. */
function mathBookmark(src: string): string {
  // user text keeps its characters: they are moved out of the way of the clean-up below
  const kept: string[] = [];
  let s = src;
  for (const [re, c] of MATH_TEXT_ESCAPES) s = s.replace(re, (_m, g?: string) => `\u0000${kept.push(typeof g === 'string' ? g : c) - 1}\u0000`);
  s = s
    .replace(/\\hat\{y\}/g, 'ŷ')
    .replace(/\\([A-Za-z]+)/g, (_m, n: string) => COMMAND_CHARS[n] ?? '')
    .replace(/\\./g, '')
    .replace(/[{}]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return pdfText(s.replace(/\u0000(\d+)\u0000/g, (_m, k: string) => kept[Number(k)]!));
}

interface InlineContext {
  /** inside a heading: math is wrapped for hyperref's bookmarks */
  heading?: boolean;
  /** put before every anchor a link points to (see markdownToLatex's labelPrefix) */
  labelPrefix?: string;
}

function inlineToLatex(tokens: Token[], ctx: InlineContext = {}): string {
  let out = '';
  for (const t of tokens) {
    switch (t.type) {
      case 'text':
        out += latexText(t.content);
        break;
      case 'softbreak':
        out += '\n';
        break;
      case 'hardbreak':
        out += '\\\\\n';
        break;
      case 'code_inline':
        out += ctx.heading ? `\\texorpdfstring{${codeText(t.content)}}{${pdfText(t.content)}}` : codeText(t.content);
        break;
      case 'math_inline': {
        const m = `$${texMath(t.content)}$`;
        out += ctx.heading ? `\\texorpdfstring{${m}}{${mathBookmark(t.content)}}` : m;
        break;
      }
      case 'strong_open':
        out += '\\textbf{';
        break;
      case 'em_open':
        out += '\\emph{';
        break;
      case 'strong_close':
      case 'em_close':
        out += '}';
        break;
      case 'link_open': {
        const href = String(t.attrGet('href') ?? '');
        if (href.startsWith('#')) out += `\\hyperref[${label((ctx.labelPrefix ?? '') + safeDecode(href.slice(1)))}]{`;
        else out += `\\href{${href.replace(/[\\#%{}~^&_$]/g, (c) => `\\${c}`)}}{`;
        break;
      }
      case 'link_close':
        out += '}';
        break;
      case 'image': {
        // the gradient-flow chart is drawn again from the data it carries; any other image
        // is its description
        const plot = plotFromDataUrl(String(t.attrGet('src') ?? ''));
        out += plot ? flowPicture(plot) : latexText(plainOf(t.children ?? []));
        break;
      }
      default:
        out += t.content ? latexText(t.content) : '';
    }
  }
  return out;
}

/**
 * The gradient-flow chart (src/render/flow.ts) in LaTeX's own picture environment: the same
 * layout as the SVG, straight segments as \qbezier with the control point at one end (dotted
 * for the cell state), markers as \circle*, \circle and small squares. Every label is made
 * here from numbers and fixed words: nothing of the data URL reaches the LaTeX as text.
 */
export function flowPicture(data: PlotData): string {
  const L = layout(data);
  const f = (x: number) => String(Math.round(x * 100) / 100);
  const out: string[] = [];
  const marker = (kind: string, x: number, y: number) => {
    if (kind === 'disc') return `\\put(${f(x)},${f(y)}){\\circle*{8}}`;
    if (kind === 'circle') return `\\put(${f(x)},${f(y)}){\\circle{8}}`;
    if (kind === 'square') return `\\put(${f(x)},${f(y)}){\\makebox(0,0){\\rule{4.2pt}{4.2pt}}}`;
    return `\\put(${f(x - 3.5)},${f(y - 3.5)}){\\framebox(7,7){}}`;
  };
  const segment = (x1: number, y1: number, x2: number, y2: number, dotted: boolean) =>
    `\\qbezier${dotted ? `[${Math.max(2, Math.round(Math.hypot(x2 - x1, y2 - y1) / 5))}]` : ''}(${f(x1)},${f(y1)})(${f(x1)},${f(y1)})(${f(x2)},${f(y2)})`;
  out.push('\\begin{center}', '\\setlength{\\unitlength}{0.6pt}', `\\begin{picture}(640,340)`, '\\thinlines');
  out.push(`\\put(${f(L.x0)},${f(L.y0)}){\\line(1,0){${f(L.x1 - L.x0)}}}`, `\\put(${f(L.x0)},${f(L.y0)}){\\line(0,1){${f(L.y1 - L.y0)}}}`);
  for (const tk of L.xTicks) {
    out.push(`\\put(${f(tk.x)},${f(L.y0)}){\\line(0,-1){5}}`, `\\put(${f(tk.x)},${f(L.y0 - 16)}){\\makebox(0,0){\\footnotesize ${latexText(tk.label)}}}`);
  }
  for (const tk of L.yTicks) {
    const label = tk.exp !== null ? `$10^{${tk.exp}}$` : latexText(tk.text ?? '');
    out.push(`\\put(${f(L.x0)},${f(tk.y)}){\\line(-1,0){5}}`, `\\put(${f(L.x0 - 8)},${f(tk.y)}){\\makebox(0,0)[r]{\\footnotesize ${label}}}`);
  }
  out.push(`\\put(${f((L.x0 + L.x1) / 2)},${f(L.y0 - 38)}){\\makebox(0,0){\\footnotesize timestep $t$}}`);
  out.push(`\\put(${f(L.x0)},${f(L.y1 + 18)}){\\makebox(0,0)[l]{\\footnotesize norm of the state gradient${data.scale === 'log' ? ' (log scale)' : ''}}}`);
  out.push('\\thicklines');
  L.series.forEach((s, i) => {
    for (let k = 1; k < s.points.length; k++) {
      const a = s.points[k - 1]!;
      const b = s.points[k]!;
      out.push(segment(a.x, a.y, b.x, b.y, s.dashed));
    }
    for (const p of s.points) out.push(marker(s.marker, p.x, p.y));
    const { x, y } = L.legend[i]!;
    out.push(segment(x, y, x + 28, y, s.dashed), marker(s.marker, x + 14, y), `\\put(${f(x + 36)},${f(y)}){\\makebox(0,0)[l]{\\footnotesize ${s.tex}}}`);
  });
  out.push('\\end{picture}', '\\end{center}');
  return out.join('\n') + '\n';
}

const SECTION = ['', '', 'section', 'subsection', 'subsubsection', 'paragraph', 'subparagraph'];

export interface Converted {
  /** the first level-1 heading, as LaTeX; null when there is none */
  title: string | null;
  pdfTitle: string | null;
  body: string;
}

/**
 * The Markdown solution as the body of a LaTeX document. `labelPrefix` goes before every
 * section label and every link to one, so that several documents converted with different
 * prefixes can share one LaTeX file (src/render/pages.ts); without it nothing changes.
 */
export function markdownToLatex(markdown: string, opts: { labelPrefix?: string } = {}): Converted {
  const prefix = opts.labelPrefix ?? '';
  const ctx: InlineContext = prefix ? { labelPrefix: prefix } : {};
  const tokens = markdownIt().parse(markdown, {});
  let title: string | null = null;
  let pdfTitle: string | null = null;
  const slugs = new Map<string, number>();
  const out: string[] = [];
  /** an open paragraph, kept open so that a display right after it belongs to it */
  let paraOpen = false;
  const closePara = () => {
    if (paraOpen) out.push('\n');
    paraOpen = false;
  };
  const lists: { ordered: boolean }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    switch (t.type) {
      case 'heading_open': {
        closePara();
        const level = Number(t.tag.slice(1));
        const inline = tokens[i + 1]!;
        const children = inline.children ?? [];
        const text = inlineToLatex(children, { ...ctx, heading: true });
        i += 2;
        if (level === 1 && title === null) {
          title = inlineToLatex(children, ctx);
          pdfTitle = pdfOf(children);
          continue;
        }
        let anchor = slug(plainOf(children));
        const seen = slugs.get(anchor) ?? 0;
        slugs.set(anchor, seen + 1);
        if (seen > 0) anchor = `${anchor}-${seen}`;
        const cmd = SECTION[level] ?? 'subparagraph';
        out.push(`\n\\${level === 1 ? 'section' : cmd}{${text}}\\label{${label(prefix + anchor)}}\n\n`);
        break;
      }
      case 'paragraph_open':
        closePara();
        paraOpen = !t.hidden;
        break;
      case 'paragraph_close':
        // the blank line that ends it is written by whatever comes next, unless that is a
        // display formula, which belongs to the paragraph it follows
        out.push('\n');
        if (t.hidden) paraOpen = false;
        break;
      case 'inline':
        out.push(inlineToLatex(t.children ?? [], ctx));
        break;
      case 'math_block':
        // after a paragraph: part of it (\[…\]); elsewhere a centred block of its own
        out.push(displayMath(t.content) + '\n');
        break;
      case 'bullet_list_open':
      case 'ordered_list_open': {
        closePara();
        const ordered = t.type === 'ordered_list_open';
        lists.push({ ordered });
        const start = Number(t.attrGet('start') ?? '1');
        out.push(`\\begin{${ordered ? 'enumerate' : 'itemize'}}\n`);
        if (ordered && start !== 1) out.push(`\\setcounter{enum${['i', 'ii', 'iii', 'iv'][Math.min(lists.length - 1, 3)]}}{${start - 1}}\n`);
        break;
      }
      case 'bullet_list_close':
      case 'ordered_list_close':
        closePara();
        out.push(`\\end{${lists.pop()!.ordered ? 'enumerate' : 'itemize'}}\n\n`);
        break;
      case 'list_item_open':
        closePara();
        out.push('\\item ');
        break;
      case 'list_item_close':
        closePara();
        break;
      case 'blockquote_open':
        closePara();
        out.push('\\begin{quote}\n');
        break;
      case 'blockquote_close':
        closePara();
        out.push('\\end{quote}\n\n');
        break;
      case 'table_open': {
        closePara();
        let j = i;
        while (tokens[j]!.type !== 'table_close') j++;
        out.push(tableToLatex(tokens.slice(i, j + 1), ctx));
        i = j;
        break;
      }
      case 'hr':
        closePara();
        out.push('\\par\\noindent\\rule{\\linewidth}{0.4pt}\n\n');
        break;
      case 'fence':
      case 'code_block':
        closePara();
        out.push(`\\begin{quote}\\small\n${t.content.replace(/\n$/, '').split('\n').map((l) => codeText(l) + '\\\\').join('\n')}\n\\end{quote}\n\n`);
        break;
      default:
        break;
    }
  }
  closePara();
  const body = out.join('').replace(/\n{3,}/g, '\n\n').trim() + '\n';
  return { title, pdfTitle, body };
}

// ---------------------------------------------------------------------------------------
// Tables

/**
 * The width tables are laid out for, in pt: A4 with 2 cm margins (preamble.hbs) is 483 pt;
 * the widths below are estimates, so a little is kept in hand.
 */
const LINE_WIDTH = 460;
const TABCOLSEP = 6;
/** Approximate widths (pt) of characters at \small (10 pt Latin Modern). */
function charWidth(c: string): number {
  if (/[0-9]/.test(c)) return 5;
  if (/[.,;:!'|`]/.test(c)) return 2.8;
  if (/[()[\]{}-]/.test(c)) return 3.9;
  if (c === ' ') return 3.3;
  if (/[mwMW]/.test(c)) return 8.3;
  if (/[A-Z]/.test(c)) return 7.2;
  if (/[ijlft]/.test(c)) return 3;
  return 5.2;
}
const textWidth = (s: string) => [...s].reduce((w, c) => w + charWidth(c), 0);

/** A rough width of a formula: commands count as one symbol, sub- and superscripts as less. */
function mathWidth(src: string): number {
  let s = src.replace(/\\text\{([^{}]*)\}/g, '$1').replace(/\\(?:begin|end)\{[a-z]+\}/g, '');
  s = s.replace(/\\(?:mathcal|mathrm|mathit|hat|tilde|bar|operatorname)\b/g, '').replace(/\\[A-Za-z]+/g, 'M');
  let w = 0;
  let script = 0;
  let depth = 0;
  const stack: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '_' || c === '^') {
      script = depth + 1;
      continue;
    }
    if (c === '{') {
      stack.push(script);
      depth++;
      continue;
    }
    if (c === '}') {
      depth--;
      script = stack.pop() ?? 0;
      if (script > depth) script = 0;
      continue;
    }
    if (c === ' ' || c === '\\') continue;
    w += charWidth(c) * (script > 0 ? 0.7 : 1);
    if (script > depth) script = 0;
  }
  return w;
}

/**
 * Consecutive items of the given widths in as few groups as fit in `room` (an item wider
 * than the room alone makes a group of its own), then as even as they can be: the widest
 * group as narrow as possible.
 */
export function balancedGroups(widths: number[], room: number): number[][] {
  let k = 0;
  for (let i = 0, w = Infinity; i < widths.length; i++) {
    if (w + widths[i]! > room) {
      k++;
      w = 0;
    }
    w += widths[i]!;
  }
  const n = widths.length;
  const sum = (a: number, b: number) => widths.slice(a, b).reduce((x, y) => x + y, 0);
  // best[g][i]: the least possible widest group when the first i items form g groups
  const best: number[][] = Array.from({ length: k + 1 }, () => Array<number>(n + 1).fill(Infinity));
  const cut: number[][] = Array.from({ length: k + 1 }, () => Array<number>(n + 1).fill(0));
  best[0]![0] = 0;
  for (let g = 1; g <= k; g++)
    for (let i = 1; i <= n; i++)
      for (let j = g - 1; j < i; j++) {
        const v = Math.max(best[g - 1]![j]!, sum(j, i));
        if (v < best[g]![i]!) {
          best[g]![i] = v;
          cut[g]![i] = j;
        }
      }
  const out: number[][] = [];
  for (let g = k, i = n; g > 0; g--) {
    const j = cut[g]![i]!;
    out.unshift(Array.from({ length: i - j }, (_, m) => j + m));
    i = j;
  }
  return out;
}

interface Cell {
  latex: string;
  /** estimated natural width in pt */
  width: number;
  /** estimated width of the widest word */
  word: number;
}

/** the plain-text numbers of a table cell: 0.2260, (0.1, -0.2), [(1, 2); (3, 4)], 1.2e-5 */
const NUMERIC = /^[\s\d.,;()[\]eE+-]*\d[\s\d.,;()[\]eE+-]*$/;

/**
 * A table cell. Numbers written as text get true minus signs, and a line break between the
 * entries of a vector is discouraged, so that a long matrix wraps between its rows.
 */
function cellOf(inline: Token | undefined, numbers: boolean, ctx: InlineContext = {}): Cell {
  const children = inline?.children ?? [];
  const only = children.length === 1 ? children[0]! : null;
  const latex =
    numbers && only?.type === 'text' && NUMERIC.test(only.content)
      ? latexText(only.content.trim()).replace(/-(?=\d)/g, '\\textminus{}').replace(/, /g, ',\\penalty200\\ ')
      : inlineToLatex(children, ctx).trim();
  let width = 0;
  let word = 0;
  if (latex.includes('\\textminus')) {
    // a minus sign is wider than a hyphen
    const w = textWidth(only!.content) + 4.5 * (only!.content.match(/-(?=\d)/g)?.length ?? 0);
    const words = only!.content.split(' ').map((part) => textWidth(part) + 4.5 * (part.match(/-(?=\d)/g)?.length ?? 0));
    return { latex, width: w, word: Math.max(...words) };
  }
  for (const t of children) {
    if (t.type === 'math_inline') {
      const w = mathWidth(t.content);
      width += w;
      word = Math.max(word, w);
    } else if (t.type === 'text' || t.type === 'code_inline') {
      width += textWidth(t.content) * (t.type === 'code_inline' ? 1.05 : 1);
      for (const part of t.content.split(t.type === 'code_inline' ? /[ ._]/ : / /)) word = Math.max(word, textWidth(part));
    }
  }
  return { latex, width, word };
}

/**
 * A GFM table as booktabs longtables (they break across pages and repeat their header).
 * Too wide for the line: a table whose rows are labelled by its first column (t, and the
 * token) is split into several tables by columns, each repeating the labels; any other
 * table wraps its widest columns (p columns).
 */
function tableToLatex(tokens: Token[], ctx: InlineContext = {}): string {
  const rows: { header: boolean; cells: Cell[] }[] = [];
  const align: string[] = [];
  /** the columns of tokens (user text, never read as numbers) */
  const tokenColumns = new Set<number>();
  let header = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'thead_open') header = true;
    if (t.type === 'thead_close') header = false;
    if (t.type === 'tr_open') rows.push({ header, cells: [] });
    if (t.type === 'th_open' || t.type === 'td_open') {
      const style = String(t.attrGet('style') ?? '');
      const row = rows[rows.length - 1]!;
      const k = row.cells.length;
      if (row.header) {
        align[k] = style.includes('right') ? 'r' : style.includes('center') ? 'c' : 'l';
        if (plainOf(tokens[i + 1]?.children ?? []).trim() === 'token') tokenColumns.add(k);
      }
      row.cells.push(cellOf(tokens[i + 1], !row.header && !tokenColumns.has(k), ctx));
    }
  }
  const n = Math.max(...rows.map((r) => r.cells.length));
  const natural = Array.from({ length: n }, (_, k) => Math.max(0, ...rows.map((r) => r.cells[k]?.width ?? 0)) + 2 * TABCOLSEP);
  const words = Array.from({ length: n }, (_, k) => Math.max(0, ...rows.map((r) => r.cells[k]?.word ?? 0)) + 2 * TABCOLSEP);
  const total = natural.reduce((a, b) => a + b, 0);
  const widths: (number | null)[] = natural.map(() => null);
  let groups: number[][] = [Array.from({ length: n }, (_, k) => k)];

  if (total > LINE_WIDTH) {
    const headerText = rows.find((r) => r.header)?.cells.map((c) => c.latex) ?? [];
    const keys = n > 3 ? (headerText[1] === 'token' ? [0, 1] : [0]) : [];
    const keyWidth = keys.reduce((a, k) => a + natural[k]!, 0);
    if (keys.length) {
      // split by columns into as few tables as fit, as even as can be, each repeating the labels
      const cols = Array.from({ length: n - keys.length }, (_, k) => k + keys.length);
      groups = balancedGroups(cols.map((k) => natural[k]!), LINE_WIDTH - keyWidth).map((g) => [...keys, ...g.map((j) => cols[j]!)]);
      for (const g of groups) {
        const gw = g.reduce((a, k) => a + natural[k]!, 0);
        if (gw > LINE_WIDTH) {
          // one column alone is too wide: it wraps
          const rest = g.filter((k) => !keys.includes(k)).map((k) => k);
          const room = LINE_WIDTH - keyWidth;
          for (const k of rest) widths[k] = Math.max(words[k]!, room / rest.length) - 2 * TABCOLSEP;
        }
      }
    } else {
      // wrap the widest columns until the table fits
      const order = [...natural.keys()].sort((a, b) => natural[b]! - natural[a]!);
      let fixed = total;
      const wrapped: number[] = [];
      for (const k of order) {
        wrapped.push(k);
        fixed -= natural[k]!;
        const room = (LINE_WIDTH - fixed) / wrapped.length;
        if (wrapped.every((j) => room >= words[j]!) || wrapped.length === n) {
          for (const j of wrapped) widths[j] = Math.max(room, words[j]!) - 2 * TABCOLSEP;
          break;
        }
      }
    }
  }

  const parts: string[] = [];
  for (const g of groups) {
    const spec = g.map((k) => (widths[k] !== null ? `>{\\raggedright\\arraybackslash}p{${Math.floor(widths[k]!)}pt}` : (align[k] ?? 'l'))).join('');
    const head = rows.filter((r) => r.header);
    const body = rows.filter((r) => !r.header);
    const line = (r: { cells: Cell[] }) => g.map((k) => r.cells[k]?.latex ?? '').join(' & ') + ' \\\\';
    parts.push(
      [
        '\\begin{unrolledtable}',
        `\\begin{longtable}{@{}${spec}@{}}`,
        '\\toprule',
        ...head.map(line),
        '\\midrule',
        '\\endhead',
        '\\bottomrule',
        '\\endfoot',
        ...body.map(line),
        '\\end{longtable}',
        '\\end{unrolledtable}',
      ].join('\n'),
    );
  }
  return parts.join('\n\n') + '\n\n';
}
