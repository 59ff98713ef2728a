import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileModeError } from './errors.ts';

/**
 * Refuses a secret file (the data key, the node identity) that group or others may read or write,
 * or that sits in a directory they may write (they could swap it): throws {@link FileModeError}
 * naming the file, its mode and the `chmod` that fixes it. A missing file is nothing to check.
 * Windows has no such modes and is not checked.
 */
export function checkPrivateFile(path: string, what: string): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((mode & 0o077) !== 0)
    throw new FileModeError(
      `${what} "${path}" has mode ${octal(mode)}, so other users of this machine can read or change it; run: chmod 600 '${path}'`,
      { details: { path, mode: octal(mode) } },
    );
  const dir = dirname(path);
  const dirStat = statSync(dir).mode;
  const dirMode = dirStat & 0o777;
  // A sticky directory (/tmp) lets nobody but the owner rename or delete the file.
  if ((dirMode & 0o022) !== 0 && (dirStat & 0o1000) === 0)
    throw new FileModeError(
      `The directory "${dir}" holding ${what} has mode ${octal(dirMode)}, so other users can replace the file; run: chmod go-w '${dir}'`,
      { details: { path: dir, mode: octal(dirMode) } },
    );
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
