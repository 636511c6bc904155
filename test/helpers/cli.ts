// Running the command line in-process, through main(args, io), collecting what it prints.
import { main, type IO } from '../../src/main.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: IO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** `s` as a regular expression matching exactly it (a path in a message, a field). */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
