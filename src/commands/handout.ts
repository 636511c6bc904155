// `unrolled handout`: translate argv into HandoutRequest and call the core (loaded lazily).
import type { CommandModule } from 'yargs';
import type { IO } from '../main.js';
import { DETAILS } from './solve.js';

export const HANDOUT_FORMATS = ['md', 'tex', 'html', 'pdf'] as const;
export const PDF_ENGINES = ['auto', 'pdflatex', 'chromium'] as const;

export const handoutCommand = (io: IO): CommandModule => ({
  command: 'handout <spec>',
  describe: 'per-student exercise sheets, worked solutions and answers keys from a spec with random numbers',
  builder: (y) =>
    y
      .positional('spec', { type: 'string', describe: 'handout spec: a problem file whose numbers may be generators, plus questions', demandOption: true })
      .option('students', { alias: 's', type: 'string', describe: 'roster CSV with an id column (and optionally name): one handout per student' })
      .option('count', { alias: 'n', type: 'number', describe: 'instead of a roster: this many numbered variants' })
      .option('seed', { type: 'string', describe: 'the seed every number is drawn from; with the same seed a student always gets the same numbers [default: random, printed]' })
      .option('out', { alias: 'o', type: 'string', default: 'out/handout', describe: 'output directory' })
      .option('format', { alias: 'f', choices: HANDOUT_FORMATS, default: 'md' as const, describe: 'format of the sheets and solutions' })
      .option('pdf-engine', { choices: PDF_ENGINES, default: 'auto' as const, describe: 'with --format pdf: pdflatex (LaTeX) or chromium (printing the HTML); auto takes pdflatex when installed' })
      .option('decimals', { type: 'number', default: 4, describe: 'decimal places shown, and asked for on the sheets' })
      .option('detail', { choices: DETAILS, default: 'full' as const, describe: 'detail of the worked solutions' })
      .option('precision', { type: 'number', default: 64, describe: 'significant digits carried through tanh, σ, exp, log (and in the answers keys)' })
      .option('templates', { type: 'string', describe: 'a directory of Handlebars templates overriding the built-in ones by name' })
      .option('jobs', { alias: 'j', type: 'number', describe: 'threads to make the handouts on [default: one per core]' })
      .conflicts('students', 'count')
      .example('$0 handout fixtures/handout/rnn-spec.yaml --count 30 --seed 2026', '30 numbered variants in out/handout/')
      .example('$0 handout spec.yaml --students roster.csv --seed 7 --format pdf', 'a PDF sheet and solution per student'),
  handler: async (argv) => {
    const { runHandout } = await import('../run/handout.js');
    await runHandout(
      {
        spec: String(argv.spec),
        students: argv.students === undefined ? null : String(argv.students),
        count: argv.count === undefined ? null : (argv.count as number),
        seed: argv.seed === undefined ? null : String(argv.seed),
        out: String(argv.out),
        format: argv.format as (typeof HANDOUT_FORMATS)[number],
        pdfEngine: argv['pdf-engine'] as (typeof PDF_ENGINES)[number],
        decimals: argv.decimals as number,
        detail: argv.detail as (typeof DETAILS)[number],
        precision: argv.precision as number,
        templates: argv.templates === undefined ? null : String(argv.templates),
        jobs: argv.jobs === undefined ? null : (argv.jobs as number),
        progress: Boolean(process.stderr.isTTY),
      },
      io,
    );
  },
});
