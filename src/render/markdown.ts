// --format md: the worked solution as Markdown, math in $$…$$ blocks (GitHub and KaTeX).
import type { Trace } from '../trace/types.js';
import { createRenderer } from './handlebars.js';
import { buildView, type Detail } from './view.js';

export type { Detail };

export function renderMarkdown(trace: Trace, opts: { decimals: number; detail: Detail; templates?: string | null }): string {
  const render = createRenderer('md', opts.decimals, opts.templates ?? null);
  return tidy(render(buildView(trace, opts)));
}

/** the line without trailing spaces and tabs (a loop: the regex /[ \t]+$/ retries at every space) */
function trimSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  return end === line.length ? line : line.slice(0, end);
}

/**
 * Whitespace only: a display-math block always stands apart from the text around it, and
 * runs of blank lines that optional template parts leave behind collapse to one.
 */
export function tidy(text: string): string {
  const out: string[] = [];
  let inMath = false;
  for (const line of text.split('\n')) {
    const fence = line.trim() === '$$';
    if (fence && !inMath && out.length && out[out.length - 1] !== '') out.push('');
    out.push(trimSpaces(line));
    if (fence && inMath) out.push('');
    if (fence) inMath = !inMath;
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
