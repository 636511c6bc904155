// The command line: yargs builds the parser, each command module turns argv into plain
// options and calls the core. Bad input or usage → one line per problem on stderr, exit 2.
import yargs, { type Argv } from 'yargs';
import { commands } from './commands/index.js';
import { InputError } from './problem/errors.js';
import { ExitStatus } from './check/status.js';
import { VERSION } from './version.js';

export interface IO {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIO: IO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

class UsageError extends Error {}

/** A fresh parser each call, so tests can run the CLI in-process. */
export function buildYargs(args: string[], io: IO): Argv {
  let parser = yargs(args)
    .scriptName('unrolled')
    .usage('$0 <command> [options]\n\nWorked solutions for small recurrent networks: forward pass, loss and full BPTT.')
    .version(VERSION)
    .option('debug', { type: 'boolean', default: false, describe: 'show a stack trace on errors', hidden: true })
    .demandCommand(1, 'give a command, e.g. `unrolled solve fixtures/seed-rnn-sentiment.yaml`')
    .recommendCommands()
    .strict()
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  for (const c of commands) parser = parser.command(c(io));
  skipHelpCache(parser);
  return parser;
}

type WithUsage = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };

/**
 * Once a command's handler has started, yargs lays out that command's help text and keeps
 * it, in case the handler asks for help later. Ours never do, and the layout (string widths
 * of every option) is a tenth of what `unrolled solve` of a small problem costs. Help asked
 * for (`--help`) is laid out as before, when asked.
 */
function skipHelpCache(parser: Argv): void {
  const usage = (parser as unknown as WithUsage).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/** yargs reads a lone `-` as a positional argument; `--out -` means standard output. */
function joinDashValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((a === '--out' || a === '-o') && args[i + 1] === '-') {
      out.push(`${a}=-`);
      i++;
    } else out.push(a);
  }
  return out;
}

export async function main(rawArgs: string[], io: IO = processIO): Promise<number> {
  const args = joinDashValues(rawArgs);
  let code = 0;
  const debug = args.includes('--debug');
  try {
    const parser = buildYargs(args, io);
    await parser.parseAsync(args, {}, (_err, _argv, output) => {
      if (output) io.stdout(output.endsWith('\n') ? output : output + '\n');
    });
  } catch (e) {
    if (e instanceof ExitStatus) {
      code = e.code; // the command has written its output; it only sets the exit code
    } else if (e instanceof InputError) {
      io.stderr(e.message + '\n');
      code = 2;
    } else if (e instanceof UsageError || (e instanceof Error && e.name === 'YError')) {
      // yargs spreads some messages over several lines ("Invalid values:\n  Argument: …")
      io.stderr(`unrolled: ${e.message.replace(/\s*\n\s*/g, ' ').trim()} (see unrolled --help)\n`);
      code = 2;
    } else {
      io.stderr(`unrolled: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      code = 3;
    }
    if (debug && e instanceof Error && e.stack) io.stderr(e.stack + '\n');
  }
  return code;
}
