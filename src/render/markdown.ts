// (being written) Markdown worked solution.
import type { Trace } from '../trace/types.js';
export type Detail = 'full' | 'standard' | 'brief';
export function renderMarkdown(trace: Trace, _opts: { decimals: number; detail: Detail }): string {
  return `# ${trace.title ?? 'Worked solution'}\n`;
}
