// A handout's problem sheet, as Markdown: the setup of the worked solution (the network,
// its parameters, the embeddings and the data), the questions, and a blank answers file.
// No answer appears on it. The page is templates/md/sheet.hbs.
import type { Trace } from '../trace/types.js';
import type { QuestionView } from '../handout/questions.js';
import { createRenderer } from './handlebars.js';
import { tidy } from './markdown.js';
import { buildView } from './view.js';

export interface SheetOptions {
  decimals: number;
  templates: string | null;
  /** `heading` names the student under the title: `Anna Smith (s001)`, `Student s001` or `Variant 3` */
  student: { id: string; name: string | null; heading: string };
  questions: QuestionView[];
  /** the blank answers file (YAML) */
  answers: string;
}

export function renderSheet(trace: Trace, opts: SheetOptions): string {
  const render = createRenderer('md', opts.decimals, opts.templates, 'sheet');
  const view = buildView(trace, { decimals: opts.decimals, detail: 'brief' });
  return tidy(render({ ...view, student: opts.student, questions: opts.questions, answers: opts.answers }));
}
