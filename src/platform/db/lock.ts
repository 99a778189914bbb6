import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite does not lock its data folder, and two processes writing one folder corrupt it. Take an exclusive lock
 * file holding our pid; a lock left by a process that has died is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'homeward.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const inUse = (pid: number) =>
        new DataDirInUseError(
          `The data folder ${dataDir} is already in use by another Homeward process (pid ${pid}). ` +
            'Stop that process first, or set DATA_DIR to a different folder.',
        );
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (pid && pid !== process.pid && alive(pid)) throw inUse(pid);
      // Take a stale lock over by renaming it aside (atomic), then check what we moved really was the stale one:
      // two starters racing for the same stale lock must not both win.
      const aside = `${path}.${process.pid}.stale`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      const moved = Number(readFileSync(aside, 'utf8').trim());
      if (moved !== pid && moved && alive(moved)) {
        renameSync(aside, path);
        throw inUse(moved);
      }
      rmSync(aside, { force: true });
    }
  }
  throw new DataDirInUseError(`Could not lock the data folder ${dataDir}.`);
}
