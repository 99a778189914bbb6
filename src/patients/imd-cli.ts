// `npm run imd:import -- FILE.csv`: replaces the postcode → IMD decile table of the configured database with a CSV
// file, as the first active administrator (so the import is audited to a person), for files too large to upload.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { contextFor } from '../identity/service.ts';
import { users } from '../identity/schema.ts';
import { systemClock } from '../platform/clock.ts';
import { readConfig } from '../platform/config.ts';
import type { RequestContext } from '../platform/context.ts';
import { DataDirInUseError } from '../platform/db/lock.ts';
import { openDatabase } from '../platform/db/open.ts';
import { parseImdCsv, refusalMessage } from './imd-rules.ts';
import { importImd } from './imd-service.ts';

const path = process.argv[2];
if (!path) {
  console.error('Give the CSV file to import: npm run imd:import -- path/to/imd.csv');
  process.exit(1);
}
let text: string;
try {
  text = readFileSync(path, 'utf8');
} catch (err) {
  console.error(`The file ${path} could not be read: ${(err as Error).message}`);
  process.exit(1);
}
// Checked before the database is opened: a bad file should not hold the embedded database's lock.
const parse = parseImdCsv(text);
if (!parse.ok) {
  console.error(refusalMessage(parse));
  for (const e of parse.errors) if (e.startsWith('Line ')) console.error(`  ${e}`);
  process.exit(2);
}

const config = readConfig();
try {
  const database = await openDatabase(config);
  try {
    const { db } = database;
    const admins = await db.select().from(users).where(and(eq(users.role, 'admin'), eq(users.active, true))).orderBy(asc(users.createdAt), asc(users.username));
    let ctx: RequestContext | undefined;
    for (const admin of admins) if ((ctx = await contextFor(db, admin, systemClock.now(), null))) break;
    if (!ctx) {
      console.error('There is no active administrator to import as. Create one (or run npm run demo) first.');
      process.exitCode = 1;
    } else {
      let shown = 0;
      const imported = await importImd(db, ctx, basename(path), parse.rows, (done, total) => {
        const tenths = Math.floor((done * 10) / total);
        if (tenths > shown) {
          shown = tenths;
          console.error(`${tenths * 10}% (${done} of ${total} postcodes)`);
        }
      });
      console.log(`Imported ${imported.rows} postcodes`);
    }
  } finally {
    await database.close();
  }
} catch (err) {
  if (err instanceof DataDirInUseError) {
    console.error(`${err.message} (stop the server, or import against PostgreSQL with DATABASE_URL).`);
    process.exit(1);
  }
  throw err;
}
