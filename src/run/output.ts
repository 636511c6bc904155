// Output is written atomically: a temporary file beside the target, then a rename. An error
// (or Ctrl-C) never leaves a partial file, and an existing file is only replaced whole.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../problem/errors.js';

export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EEXIST' || err.code === 'ENOTDIR' ? 'is a file, expected a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw InputError.one('--out', null, `cannot write to ${dir}: ${why}`);
  }
}

/** Write text or bytes atomically: a temporary file beside the target, then a rename. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    throw InputError.one('--out', null, `cannot write ${path}: ${err.code === 'EACCES' ? 'permission denied' : err.message}`);
  }
}
