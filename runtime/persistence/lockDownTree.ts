import { chmodSync, existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Takes group and other permissions off every file (→ at most 0600) and directory (→ 0700) under
 * `root`, so a cluster created by an older version (files 0666) is no longer readable or writable
 * by other users once opened. Symbolic links are left alone; a missing root is nothing to do.
 */
export function lockDownTree(root: string): void {
  if (!existsSync(root)) return;
  const stack = [root];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const st = lstatSync(path);
    if (st.isSymbolicLink()) continue;
    if ((st.mode & 0o077) !== 0) chmodSync(path, st.mode & 0o700);
    if (st.isDirectory()) for (const name of readdirSync(path)) stack.push(join(path, name));
  }
}
