import type { CommandModule } from 'yargs';
import type { IO } from '../main.js';
import { solveCommand } from './solve.js';
import { checkCommand } from './check.js';
import { handoutCommand } from './handout.js';
import { initCommand } from './init.js';

/** Every command, explicitly (no directory scanning under ESM). */
export const commands: ((io: IO) => CommandModule)[] = [solveCommand, checkCommand, handoutCommand, initCommand];
