/**
 * The bulk path into the database: COPY … FROM STDIN on PostgreSQL (over the `pg` connection's own copy messages,
 * so no extra package), COPY … FROM '/dev/blob' on PGlite. Rows are written as COPY text, built by the generator and
 * sent a table's batch at a time, on one dedicated connection owned for the whole load.
 */
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { Database } from '../../src/platform/db/client.ts';

/** COPY text's null. */
export const NULL = '\\N';

/** Escapes a text value for COPY (backslash, tab, newline and carriage return are special). */
export function esc(s: string): string {
  return /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

/** A JSON value as COPY text for a jsonb column. */
export function json(value: unknown): string {
  return esc(JSON.stringify(value));
}

export type Cell = string | number | boolean | null;

/** Rows waiting to be copied into one table. */
export class TableBuffer {
  rows: string[] = [];
  written = 0;
  constructor(
    readonly name: string,
    readonly columns: readonly string[],
  ) {}

  add(...cells: Cell[]): void {
    // join() builds one flat string: concatenating cell by cell would leave ropes for the final join to flatten.
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (c === null || c === undefined) cells[i] = NULL;
      else if (c === true) cells[i] = 't';
      else if (c === false) cells[i] = 'f';
    }
    this.rows.push(cells.join('\t'));
  }

  /** Takes the buffered rows as one COPY text, leaving the buffer empty. */
  take(): { text: string; count: number } {
    const count = this.rows.length;
    const text = count ? `${this.rows.join('\n')}\n` : '';
    this.rows = [];
    this.written += count;
    return { text, count };
  }
}

export interface Loader {
  kind: 'embedded' | 'postgres';
  /** Superusers may switch off triggers and foreign-key checks for the load (session_replication_role). */
  superuser: boolean;
  exec(sql: string): Promise<void>;
  /** One statement; returns the rows it inserted, updated or deleted. */
  run(sql: string): Promise<number>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  copy(table: string, columns: readonly string[], text: string): Promise<void>;
  release(): Promise<void>;
}

/** One COPY FROM STDIN on a pg connection, as a "submittable" the client queues like any query. */
class CopyIn {
  private done = false;
  constructor(
    private readonly text: string,
    private readonly data: Buffer,
    private readonly resolve: () => void,
    private readonly reject: (err: unknown) => void,
  ) {}
  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }): void {
    // Chunks of 1 MiB keep each protocol message a reasonable size.
    for (let at = 0; at < this.data.length; at += 1 << 20) connection.sendCopyFromChunk(this.data.subarray(at, at + (1 << 20)));
    connection.endCopyFrom();
  }
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleError(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.reject(err);
  }
  handleReadyForQuery(): void {
    if (this.done) return;
    this.done = true;
    this.resolve();
  }
}

const copySql = (table: string, columns: readonly string[], source: string) => `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM ${source}`;

/** A loader on the database the application opened (its migrations and grants already applied). */
export async function openLoader(database: Database): Promise<Loader> {
  const client = (database.db as unknown as { $client: unknown }).$client;
  if (database.kind === 'embedded') {
    const lite = client as PGlite;
    const superuser = (await lite.query<{ s: boolean }>('select rolsuper as s from pg_roles where rolname = current_user')).rows[0]?.s ?? false;
    return {
      kind: 'embedded',
      superuser,
      exec: async (sql) => {
        await lite.exec(sql);
      },
      run: async (sql) => (await lite.query(sql)).affectedRows ?? 0,
      query: async <T,>(sql: string, params: unknown[] = []) => (await lite.query<T>(sql, params)).rows,
      copy: async (table, columns, text) => {
        if (!text) return;
        await lite.query(copySql(table, columns, `'/dev/blob'`), [], { blob: new Blob([text]) });
      },
      release: async () => undefined,
    };
  }
  const pool = client as pg.Pool;
  const conn = await pool.connect();
  const superuser = (await conn.query<{ s: boolean }>('select rolsuper as s from pg_roles where rolname = current_user')).rows[0]?.s ?? false;
  return {
    kind: 'postgres',
    superuser,
    exec: async (sql) => {
      await conn.query(sql);
    },
    run: async (sql) => (await conn.query(sql)).rowCount ?? 0,
    query: async <T,>(sql: string, params: unknown[] = []) => (await conn.query(sql, params)).rows as T[],
    copy: (table, columns, text) =>
      text
        ? new Promise<void>((resolve, reject) => {
            void conn.query(new CopyIn(copySql(table, columns, 'STDIN'), Buffer.from(text), resolve, reject) as never);
          })
        : Promise.resolve(),
    release: async () => {
      conn.release();
    },
  };
}
