// Every output format, by name: each turns a trace into the text of one file.
import type { Numeric } from '../numeric/index.js';
import type { Trace } from '../trace/types.js';
import type { Detail } from './view.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderTex } from './tex.js';

export interface RenderOptions {
  num: Numeric;
  decimals: number;
  detail: Detail;
  /** a directory of templates overriding the built-in ones by name, or null */
  templates: string | null;
}

export type Format = 'md' | 'tex' | 'html' | 'json';

export const renderers: Record<Format, (trace: Trace, opts: RenderOptions) => string> = {
  md: (trace, opts) => renderMarkdown(trace, opts),
  json: (trace, opts) => renderJson(trace, opts.num),
  tex: (trace, opts) => renderTex(trace, opts),
  html: (trace, opts) => renderHtml(trace, opts),
};
