// `unrolled solve`: translate argv into SolveRequest and call the core (loaded lazily, so
// that `unrolled --help` does not pay for mathjs).
import type { CommandModule } from 'yargs';
import type { IO } from '../main.js';

export const FORMATS = ['md', 'tex', 'html', 'json'] as const;
export const ARITHMETIC = ['exact', 'hand'] as const;
export const DETAILS = ['full', 'standard', 'brief'] as const;

export const solveCommand = (io: IO): CommandModule => ({
  command: 'solve <problem>',
  describe: 'write the worked solution of a problem file',
  builder: (y) =>
    y
      .positional('problem', { type: 'string', describe: 'problem file (YAML or JSON)', demandOption: true })
      .option('format', { alias: 'f', choices: FORMATS, default: 'md' as const, describe: 'output format' })
      .option('out', {
        alias: 'o',
        type: 'string',
        describe: 'output directory, or - for standard output [default: out/ for md, tex and html; - for json]',
      })
      .option('pdf', { type: 'boolean', default: false, describe: 'with --format tex: also run pdflatex and write the PDF' })
      .option('arithmetic', {
        choices: ARITHMETIC,
        default: 'exact' as const,
        describe: 'exact: nothing rounded along the way; hand: every named quantity rounded to --decimals before it is used further, as by hand',
      })
      .option('templates', { type: 'string', describe: 'a directory of Handlebars templates overriding the built-in ones by name' })
      .option('decimals', { type: 'number', default: 4, describe: 'decimal places shown' })
      .option('detail', { choices: DETAILS, default: 'full' as const, describe: 'full: every product term by term; standard: each operation with its matrices; brief: tables per timestep' })
      .option('precision', { type: 'number', default: 64, describe: 'significant digits carried through tanh, σ, exp, log' })
      .example('$0 solve fixtures/seed-rnn-sentiment.yaml', 'write out/seed-rnn-sentiment.md')
      .example('$0 solve fixtures/seed-rnn-sentiment.yaml --format json', 'print every quantity as JSON'),
  handler: async (argv) => {
    const { runSolve } = await import('../run/solve.js');
    await runSolve(
      {
        problem: String(argv.problem),
        format: argv.format as (typeof FORMATS)[number],
        out: argv.out === undefined ? null : String(argv.out),
        decimals: argv.decimals as number,
        detail: argv.detail as (typeof DETAILS)[number],
        precision: argv.precision as number,
        pdf: Boolean(argv.pdf),
        arithmetic: argv.arithmetic as (typeof ARITHMETIC)[number],
        templates: argv.templates === undefined ? null : String(argv.templates),
      },
      io,
    );
  },
});
