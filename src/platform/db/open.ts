import { join } from 'node:path';
import type { Config } from '../config.ts';
import { openEmbedded, openPostgres, type Database } from './client.ts';
import { lockDataDir } from './lock.ts';

/** DATABASE_URL set → PostgreSQL; unset → embedded PGlite in DATA_DIR, locked against a second process. */
export async function openDatabase(config: Config, onIdleError?: (err: Error) => void): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, 10, onIdleError);
  const unlock = lockDataDir(config.dataDir);
  try {
    const database = await openEmbedded(join(config.dataDir, 'pglite'));
    return {
      ...database,
      close: async () => {
        await database.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
