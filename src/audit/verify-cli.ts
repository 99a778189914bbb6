// `npm run audit:verify`: checks the audit hash chain of the configured database and names the first broken row.
import { readConfig } from '../platform/config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { DataDirInUseError } from '../platform/db/lock.ts';
import { verifyAuditChain } from './verify.ts';

const config = readConfig();
try {
  const database = await openDatabase(config);
  const result = await verifyAuditChain(database.db);
  await database.close();
  if (result.ok) {
    console.log(`Audit chain verified: ${result.checked} rows, no break.`);
  } else {
    console.error(`Audit chain BROKEN at row ${result.firstBroken!.seq}: ${result.firstBroken!.reason}. ${result.checked} rows in the trail.`);
    process.exit(2);
  }
} catch (err) {
  if (err instanceof DataDirInUseError) {
    console.error(`${err.message} (stop the server, or run audit:verify against PostgreSQL with DATABASE_URL).`);
    process.exit(1);
  }
  throw err;
}
