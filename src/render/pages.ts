// Several Markdown documents (a handout's problem sheets, one per student) as ONE file for
// printing: a LaTeX document with each document on pages of its own (\clearpage between
// them), or one self-contained HTML page with each document in a <section class="sheet">
// that printing starts on a new page. Section labels and heading ids are prefixed by the
// document's number (p1-, p2-, …), so that they stay unique and every link within a
// document still reaches its own section. The files are drawn by templates/tex/pages.hbs
// and templates/html/pages.hbs; `templates` is `--templates DIR` as given (DIR/tex/ and
// DIR/html/ apply, as for the solution).
import { VERSION } from '../version.js';
import { createRenderer } from './handlebars.js';
import { escapeHtml, katexCss, markdownToHtmlBody, pageOverrides } from './html.js';
import { latexText, markdownToLatex, pdfText, texOverrides, tidyTex } from './tex.js';

export interface PagesOptions {
  /** the title of the whole file (PDF metadata, the HTML page's <title>) */
  title: string;
  decimals: number;
  /** `--templates DIR`, or null */
  templates: string | null;
}

/** The prefix of the labels and ids of the i-th document (from 0). */
const prefixOf = (i: number) => `p${i + 1}-`;

/** The data templates/tex/pages.hbs receives. Every string in it is LaTeX, already escaped. */
export interface TexPagesView {
  title: string;
  pdfTitle: string;
  source: string;
  generator: string;
  /** one per document: its title (LaTeX and PDF string), its bookmark's name, its body */
  pages: { title: string; pdfTitle: string; anchor: string; body: string }[];
}

/** One LaTeX document with every Markdown document on pages of its own. */
export function pagesToTex(pages: string[], opts: PagesOptions & { source: string }): string {
  const view: TexPagesView = {
    title: latexText(opts.title),
    pdfTitle: pdfText(opts.title),
    source: latexText(opts.source),
    generator: `unrolled ${VERSION}`,
    pages: pages.map((markdown, i) => {
      const { title, pdfTitle, body } = markdownToLatex(markdown, { labelPrefix: prefixOf(i) });
      const fallback = `${opts.title} (${i + 1})`;
      return { title: title ?? latexText(fallback), pdfTitle: pdfTitle ?? pdfText(fallback), anchor: `sheet.${i + 1}`, body };
    }),
  };
  const render = createRenderer('tex', opts.decimals, texOverrides(opts.templates), 'pages');
  return tidyTex(render(view));
}

/** The data templates/html/pages.hbs receives. Every string in it is HTML, already escaped. */
export interface HtmlPagesView {
  title: string;
  /** the source file's path, escaped ('' when not given): for header and footer overrides, as in the solution's view */
  source: string;
  generator: string;
  lang: string;
  /** KaTeX's stylesheet with the fonts any of the pages uses inlined (once) */
  katexCss: string;
  /** one per document: its id (the prefix of its headings' ids, without the hyphen) and body */
  pages: { id: string; title: string; body: string }[];
}

/**
 * One self-contained HTML page with every Markdown document in a section of its own; when
 * printed, each section starts a new page. Fails like markdownToHtml when KaTeX cannot
 * render a formula.
 */
export function pagesToHtml(pages: string[], opts: PagesOptions & { source?: string }): string {
  const bodies = pages.map((markdown, i) => {
    const { body, title } = markdownToHtmlBody(markdown, { idPrefix: prefixOf(i) });
    return { id: `sheet-${i + 1}`, title: escapeHtml(title ?? `${opts.title} (${i + 1})`), body };
  });
  const view: HtmlPagesView = {
    title: escapeHtml(opts.title),
    source: escapeHtml(opts.source ?? ''),
    generator: `unrolled ${VERSION}`,
    lang: 'en',
    katexCss: katexCss(bodies.map((b) => b.body).join('\n')),
    pages: bodies,
  };
  const render = createRenderer('html', opts.decimals, pageOverrides(opts.templates), 'pages');
  return render(view);
}
