// Finding a program on PATH (pdflatex, Chromium): the first file that is there and executable.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first of `names` in the first PATH directory that has one, or null. */
export function findOnPath(names: readonly string[], env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}
