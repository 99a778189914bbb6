import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openEmbedded, openPostgres, type Database } from '../../src/platform/db/client.ts';

const root = new URL('../../', import.meta.url).pathname;

/** A key that changes whenever a migration or the grants change, so a stale snapshot is never reused. */
function schemaKey(): string {
  const h = createHash('sha256');
  const dir = join(root, 'drizzle');
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.sql')) h.update(readFileSync(join(dir, f)));
  h.update(readFileSync(join(root, 'src/platform/db/grants.sql')));
  return h.digest('hex').slice(0, 16);
}

/**
 * A fresh, migrated database for one test file. PostgreSQL when TEST_DATABASE_URL is set (a new database per
 * call, dropped on close); otherwise in-memory PGlite, started from a migrated snapshot cached in the temp folder
 * (initdb + migrations take ~4 s, loading the snapshot under 1 s).
 */
export async function openTestDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `homeward_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${name}`;
    const database = await openPostgres(u.toString(), 5);
    return {
      ...database,
      close: async () => {
        await database.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const snapshot = join(tmpdir(), `homeward-pglite-${schemaKey()}.tar`);
  return openFromSnapshot(snapshot);
}

async function openFromSnapshot(snapshot: string): Promise<Database> {
  if (!existsSync(snapshot)) {
    const client = await PGlite.create('memory://');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(drizzle(client), { migrationsFolder: join(root, 'drizzle') });
    await client.exec(readFileSync(join(root, 'src/platform/db/grants.sql'), 'utf8'));
    const blob = await client.dumpDataDir('none');
    await client.close();
    const tmp = `${snapshot}.${process.pid}`;
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    renameSync(tmp, snapshot);
  }
  const data = readFileSync(snapshot);
  // openEmbedded re-runs migrations (a no-op on the snapshot) so the path under test is the production one.
  return openEmbedded({ loadDataDir: new Blob([data]) });
}
