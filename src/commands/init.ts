// `unrolled init`: translate argv into InitRequest and call the core (loaded lazily, like
// the other commands).
import type { CommandModule } from 'yargs';
import type { IO } from '../main.js';

export const initCommand = (io: IO): CommandModule => ({
  command: 'init',
  describe: 'write a new practice problem file with numbers you can multiply by hand',
  builder: (y) =>
    y
      .option('cell', { choices: ['rnn', 'lstm', 'gru'] as const, default: 'rnn' as const, describe: 'the recurrent cell' })
      .option('convention', {
        choices: ['textbook', 'pytorch'] as const,
        default: 'textbook' as const,
        describe: 'parameter names: textbook (W_xh, W_f, …) or pytorch (torch.nn state-dict names)',
      })
      .option('hidden', { type: 'number', default: 2, describe: 'hidden size H (1 to 8)' })
      .option('embed', { type: 'number', default: 3, describe: 'embedding dimension D (1 to 8)' })
      .option('seed', { type: 'string', describe: 'the seed of every number drawn; the same seed gives the same file [default: a random one, recorded in the file]' })
      .option('initial-state', { type: 'boolean', default: false, describe: 'also draw a nonzero initial state h0 (and c0) instead of zeros' })
      .option('out', { alias: 'o', type: 'string', default: 'problem.yaml', describe: 'the file to write, or - for standard output' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite the --out file if it exists' })
      .example('$0 init', 'write problem.yaml (vanilla RNN, H = 2, D = 3)')
      .example('$0 init --cell lstm --convention pytorch --seed 7 --out lstm.yaml', 'the same LSTM problem every time'),
  handler: async (argv) => {
    const { runInit } = await import('../init/run.js');
    runInit(
      {
        cell: String(argv.cell),
        convention: String(argv.convention),
        hidden: argv.hidden as number,
        embed: argv.embed as number,
        seed: argv.seed === undefined ? null : String(argv.seed),
        out: String(argv.out),
        force: Boolean(argv.force),
        initialState: Boolean(argv['initial-state']),
      },
      io,
    );
  },
});
