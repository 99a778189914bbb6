// `npm run demo` builds the demo on an empty database; `npm run demo:reset` wipes the database and rebuilds it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { readConfig } from '../platform/config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { DataDirInUseError } from '../platform/db/lock.ts';
import { buildDemoIfEmpty } from './build.ts';

const config = readConfig();
const reset = process.argv.includes('--reset');
try {
  if (reset) {
    if (config.databaseUrl) {
      console.log('Resetting the PostgreSQL database: dropping every Homeward table.');
      const client = new pg.Client({ connectionString: config.databaseUrl });
      await client.connect();
      await client.query('DROP SCHEMA IF EXISTS drizzle CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
      await client.end();
    } else {
      const { lockDataDir } = await import('../platform/db/lock.ts');
      const unlock = lockDataDir(config.dataDir);
      console.log(`Resetting the embedded database in ${join(config.dataDir, 'pglite')}.`);
      rmSync(join(config.dataDir, 'pglite'), { recursive: true, force: true });
      unlock();
    }
  }
  const database = await openDatabase(config);
  const built = await buildDemoIfEmpty(database.db, { password: config.demoPassword, population: 'pilot', log: (m) => console.log(m) });
  await database.close();
  console.log(built ? `Demo ready. Sign in as any role slug (e.g. trust-nurse, admin) with password ${config.demoPassword === 'homeward-demo' ? 'homeward-demo' : 'DEMO_PASSWORD'}.` : 'The database already has data; nothing built. Use npm run demo:reset to rebuild it.');
} catch (err) {
  if (err instanceof DataDirInUseError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
