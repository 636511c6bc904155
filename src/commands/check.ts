// `unrolled check`: translate argv into CheckRequest and call the core (loaded lazily, so
// that `unrolled --help` does not pay for mathjs). Exit 1 when some answers are not right.
import type { CommandModule } from 'yargs';
import type { IO } from '../main.js';
import { ExitStatus } from '../check/status.js';

export const REPORT_FORMATS = ['text', 'md', 'json'] as const;

export const checkCommand = (io: IO): CommandModule => ({
  command: 'check <problem> <answers>',
  describe: "check a student's answers, with error carried forward",
  builder: (y) =>
    y
      .positional('problem', { type: 'string', describe: 'problem file (YAML or JSON)', demandOption: true })
      .positional('answers', { type: 'string', describe: 'answers file: quantity ids (ex1.t3.h, ex1.t3.h[2], grad.W_hh[1][3]) to numbers', demandOption: true })
      .option('format', { alias: 'f', choices: REPORT_FORMATS, default: 'text' as const, describe: 'report format' })
      .option('decimals', { type: 'number', describe: 'right within ½·10^-N of the exact value [default: 3]; with --arithmetic hand, also the rounding' })
      .option('tolerance', { type: 'string', describe: 'instead: right within this absolute difference (with --rtol: the larger of the two)' })
      .option('rtol', { type: 'string', describe: 'instead: right within this fraction of |exact value|' })
      .option('arithmetic', {
        choices: ['exact', 'hand'] as const,
        default: 'exact' as const,
        describe: 'hand: an answer matching the computation rounded to --decimals at every step is right too',
      })
      .option('ecf-credit', { type: 'number', default: 0.5, describe: 'credit for an answer that follows from an earlier error (0 to 1)' })
      .option('precision', { type: 'number', default: 64, describe: 'significant digits carried through tanh, σ, exp, log' })
      .example('$0 check fixtures/seed-rnn-sentiment.yaml fixtures/seed-rnn-hand-answers.yaml', 'mark the course notes\' hand calculation')
      .example('$0 check problem.yaml answers.yaml --format json --rtol 1e-3', 'a JSON report for an autograder'),
  handler: async (argv) => {
    const { runCheck } = await import('../run/check.js');
    const code = runCheck(
      {
        problem: String(argv.problem),
        answers: String(argv.answers),
        format: argv.format as (typeof REPORT_FORMATS)[number],
        decimals: argv.decimals === undefined ? null : (argv.decimals as number),
        tolerance: argv.tolerance === undefined ? null : String(argv.tolerance),
        rtol: argv.rtol === undefined ? null : String(argv.rtol),
        arithmetic: argv.arithmetic as 'exact' | 'hand',
        ecfCredit: argv['ecf-credit'] as number,
        precision: argv.precision as number,
      },
      io,
    );
    if (code !== 0) throw new ExitStatus(code);
  },
});
