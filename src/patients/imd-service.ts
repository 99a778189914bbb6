import { eq, sql } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import { scalar, type Db, type Tx } from '../platform/db/client.ts';
import { users } from '../identity/schema.ts';
import { imdDeciles, imdImports } from './imd-schema.ts';
import { imdKey, type ImdRow } from './imd-rules.ts';

/** 1000 rows × 3 columns stays far below PostgreSQL's 65,535 parameters per statement. */
const BATCH = 1000;

export interface ImdImport {
  id: string;
  filename: string;
  rows: number;
  importedAt: Date;
}

/**
 * Replaces the whole table with a checked file's rows (each import is the newly published edition, so nothing of
 * the previous one may linger), in one transaction: a failure part-way leaves the previous edition in place.
 */
export function importImd(db: Db, ctx: RequestContext, filename: string, rows: ImdRow[], onProgress?: (done: number, total: number) => void): Promise<ImdImport> {
  return withContext(db, ctx, async (tx) => {
    // DELETE rather than TRUNCATE: the request role is not granted TRUNCATE on any table.
    await tx.delete(imdDeciles);
    const [imported] = await tx.insert(imdImports).values({ filename, rows: rows.length, importedBy: ctx.userId, importedAt: ctx.now }).returning();
    const importId = imported!.id;
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      await tx.insert(imdDeciles).values(batch.map((r) => ({ postcode: r.postcode, decile: r.decile, importId })));
      onProgress?.(i + batch.length, rows.length);
    }
    await audit(tx, ctx, { action: 'imd:import', detail: { rows: rows.length, filename } });
    return { id: importId, filename, rows: rows.length, importedAt: imported!.importedAt };
  });
}

/** The decile published for a postcode (written in any case or spacing), or undefined when it is not in the table. */
export async function lookupImdDecile(tx: Tx | Db, postcode: string): Promise<number | undefined> {
  const key = imdKey(postcode);
  if (!key) return undefined;
  const [row] = await tx.select({ decile: imdDeciles.decile }).from(imdDeciles).where(eq(imdDeciles.postcode, key));
  return row?.decile;
}

export interface ImdStatus {
  postcodes: number;
  lastImport: (ImdImport & { importedBy: string; importedByUsername: string }) | undefined;
}

/** How many postcodes the table holds and the import they came from. */
export function imdStatus(db: Db, ctx: RequestContext): Promise<ImdStatus> {
  return withContext(db, ctx, async (tx) => {
    const postcodes = (await scalar<number>(tx, sql`select count(*)::int from ${imdDeciles}`)) ?? 0;
    // The edition in force is the one its rows point at, not the newest timestamp: two imports can share a clock tick.
    const [current] = await tx.select({ importId: imdDeciles.importId }).from(imdDeciles).limit(1);
    if (!current) return { postcodes, lastImport: undefined };
    const [row] = await tx
      .select({ id: imdImports.id, filename: imdImports.filename, rows: imdImports.rows, importedAt: imdImports.importedAt, importedBy: users.displayName, importedByUsername: users.username })
      .from(imdImports)
      .innerJoin(users, eq(users.id, imdImports.importedBy))
      .where(eq(imdImports.id, current.importId));
    return { postcodes, lastImport: row };
  });
}
