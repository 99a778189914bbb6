import { readFileSync } from 'node:fs';
import { readConfig } from '../platform/config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { DataDirInUseError } from '../platform/db/lock.ts';
import { buildApp } from '../web/app.ts';
import { buildDemoIfEmpty } from '../demo/build.ts';
import { createLogger } from '../platform/logger.ts';

let config: ReturnType<typeof readConfig>;
try {
  config = readConfig();
} catch (err) {
  console.error(`Homeward cannot start: ${(err as Error).message}`);
  process.exit(1);
}
const log = createLogger(config.logLevel);
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let database: Awaited<ReturnType<typeof openDatabase>>;
try {
  database = await openDatabase(config, (err) => log.warn({ err }, 'a pooled database connection was closed by the server; it will be replaced'));
} catch (err) {
  if (err instanceof DataDirInUseError) {
    console.error(`Homeward cannot start: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
log.info({ database: database.kind }, 'database ready');

if (database.kind === 'embedded') await buildDemoIfEmpty(database.db, { password: config.demoPassword, population: 'pilot', log: (m) => console.log(m) });

const app = await buildApp({ database, version, loggerInstance: log, trustProxy: config.trustProxy });
await app.listen({ port: config.port, host: config.host });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
if (database.kind === 'embedded') {
  console.log(`Demo accounts: trust-nurse, trust-prescriber, trust-pharmacist, cancer-manager, provider-nurse, provider-coordinator, provider-pharmacist, commissioner, network-lead, admin (and trust-nurse-b, trust-nurse-c, … for the other Trusts). Password: ${config.demoPassword === 'homeward-demo' ? 'homeward-demo' : 'the value of DEMO_PASSWORD'}.`);
}
console.log(`Homeward ${version} is running at http://localhost:${port} (database: ${database.kind}).`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  await app.close();
  await database.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
