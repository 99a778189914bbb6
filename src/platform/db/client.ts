import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface Database {
  db: Db;
  kind: 'embedded' | 'postgres';
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../../drizzle', import.meta.url));
const grantsSql = readFileSync(fileURLToPath(new URL('./grants.sql', import.meta.url)), 'utf8');
/** Arbitrary constant shared by every Homeward process: only one may migrate a database at a time. */
const MIGRATION_LOCK_KEY = 727_001;

/** Opens PGlite at `dataDir` (or in memory with 'memory://', or from a snapshot) and applies migrations. */
export async function openEmbedded(source: string | { loadDataDir: Blob }): Promise<Database> {
  const client = typeof source === 'string' ? await PGlite.create(source) : await PGlite.create(source);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  await migratePglite(db as never, { migrationsFolder });
  await client.exec(grantsSql);
  return { db, kind: 'embedded', close: () => client.close() };
}

/** Opens a PostgreSQL pool and applies migrations under an advisory lock, so parallel starts cannot race. */
export async function openPostgres(url: string, poolSize = 10, onIdleError: (err: Error) => void = () => undefined): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle pooled connection can be cut by the server (a restart, an administrator, a failover, or the socket
  // still closing after pool.end() resolves). Without a listener pg re-throws that as an uncaught exception and
  // the whole service stops; the pool drops the broken client itself and the next query opens a new one.
  pool.on('error', onIdleError);
  const conn = await pool.connect();
  try {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const lockedDb = drizzlePg(conn, { schema });
    await migratePg(lockedDb, { migrationsFolder });
    await conn.query(grantsSql);
  } finally {
    await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    conn.release();
  }
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return { db, kind: 'postgres', close: () => pool.end() };
}

/** Reads the first column of the first row of a raw query, the same on both drivers. */
export async function scalar<T>(db: Db | Tx, query: ReturnType<typeof sql>): Promise<T | undefined> {
  const res = (await db.execute(query)) as unknown as { rows: Record<string, unknown>[] };
  const row = res.rows[0];
  return row ? (Object.values(row)[0] as T) : undefined;
}

/** Rows of a raw query, the same on both drivers (cast counts with ::int in SQL). */
export async function rows<T>(db: Db | Tx, query: ReturnType<typeof sql>): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}
