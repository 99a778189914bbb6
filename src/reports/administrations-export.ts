/**
 * Every dose given by or for the caller's Trust in a range of months, as CSV: the Trust's own list of what was given,
 * where, and by whom (for audit, pharmacy reconciliation and its own analyses). A Trust may have given millions of
 * doses, so the file is never built in memory: one `withContext` transaction (row-level security applies, as for any
 * read of the Trust's patients) declares a server-side cursor and fetches it in batches of FETCH_ROWS, each batch
 * written to the response as soon as the client has taken the previous one. Memory stays flat whatever the size.
 *
 * One line per drug given (a combined regimen gives two drugs at one administration). Every text value is
 * formula-escaped as in the report's downloads. One audit row records the export with its row count, in the same
 * transaction; a client that goes away part way is recorded with the rows it was sent.
 *
 * Cost: on the embedded database (one connection) other requests wait while an export runs.
 */
import { PassThrough, type Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { POLICY } from '../access/policy.ts';
import { audit } from '../audit/service.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import { rows, type Db } from '../platform/db/client.ts';
import { AppError } from '../platform/errors.ts';
import { safeCsvValue } from './exports.ts';
import { monthBounds } from './months.ts';

export const EXPORT_HEADER = ['Date given', 'NHS number', 'Unit', 'Regimen', 'Drug', 'Dose (mg)', 'Route', 'Place', 'Cycle', 'Given by'];
/** Rows fetched from the cursor at a time: large enough to keep the database busy, small enough to stay in memory. */
export const FETCH_ROWS = 5000;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** GET /api/v1/exports/administrations.csv?from=YYYY-MM&to=YYYY-MM (checked by exportRange, which says what to enter). */
export const ExportQuery = z.strictObject({ from: z.string().optional().describe('The first month, YYYY-MM'), to: z.string().optional().describe('The last month, YYYY-MM') });

export interface ExportRange {
  from: string;
  to: string;
}

/** The months asked for, or a 400 that says what to enter. Any number of months: the file is streamed. */
export function exportRange(q: { from?: string; to?: string }): ExportRange {
  const problems: Record<string, string> = {};
  if (!q.from) problems.from = 'Enter the first month, for example 2026-04';
  else if (!MONTH.test(q.from)) problems.from = 'Enter the first month as a year and month, for example 2026-04';
  if (!q.to) problems.to = 'Enter the last month, for example 2026-06';
  else if (!MONTH.test(q.to)) problems.to = 'Enter the last month as a year and month, for example 2026-06';
  if (!problems.from && !problems.to && q.to! < q.from!) problems.to = 'The last month must be the same as or after the first month';
  if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
  return { from: q.from!, to: q.to! };
}

export const exportFilename = (r: ExportRange) => `homeward-administrations-${r.from}-to-${r.to}.csv`;

interface ExportRow {
  given_on: string;
  nhs_number: string;
  unit: string;
  regimen: string;
  drug: string | null;
  dose_mg: string | null;
  route: string | null;
  place: string;
  cycle_number: number;
  given_by: string;
  line: number | string;
}

/** A CSV field: formula-escaped, quoted when it holds a comma, quote or line break. */
function field(v: string | number | null): string {
  const s = safeCsvValue(v === null ? '' : String(v));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const line = (values: (string | number | null)[]) => `${values.map(field).join(',')}\n`;

/** Only a Trust's own staff granted the export, and only their Trust (their units, when limited to some). */
function checkAllowed(ctx: RequestContext): void {
  if (POLICY['export:administrations'][ctx.role] !== 'own-org' || ctx.orgKind !== 'trust') throw new AppError('forbidden', 'You cannot export administrations');
}

/**
 * The export as a stream of CSV text. Validation and permission are checked before anything is sent; a database
 * failure part way ends the stream with an error (the client sees a cut-off download) and is audited as a failure.
 */
export function streamAdministrations(db: Db, ctx: RequestContext, range: ExportRange, batchRows = FETCH_ROWS): Readable {
  checkAllowed(ctx);
  const firstDay = monthBounds(range.from).start;
  const lastDay = monthBounds(range.to).end;
  const fetchRows = Math.max(1, Math.floor(batchRows));
  const out = new PassThrough();
  let sentRows = 0;
  let sentAdministrations = 0;

  /** Writes a chunk, waiting while the client is behind; false once the client has gone. */
  const write = async (chunk: string): Promise<boolean> => {
    if (out.destroyed) return false;
    if (!out.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done);
          out.off('close', done);
          resolve();
        };
        out.on('drain', done);
        out.on('close', done);
      });
    }
    return !out.destroyed;
  };

  const units = ctx.unitIds.length ? sql`and p.unit_id in (${sql.join(ctx.unitIds.map((u) => sql`${u}::uuid`), sql`, `)})` : sql``;
  const run = () =>
    withContext(db, ctx, async (tx) => {
      // A retried transaction must not send the same lines twice.
      if (sentRows) throw new Error('the export cannot be retried once lines were sent');
      await tx.execute(sql`declare administrations_export no scroll cursor for
        select a.given_on::text as given_on, p.nhs_number, coalesce(u.name, 'Unit not recorded') as unit, r.name as regimen,
               d.item->>'drug' as drug, d.item->>'doseMg' as dose_mg, coalesce(a.route, rx.route) as route, a.place,
               rx.cycle_number, o.name as given_by, d.n as line
        from administrations a
        join patients p on p.id = a.patient_id
        join prescriptions rx on rx.id = a.prescription_id
        join regimens r on r.id = rx.regimen_id
        join organisations o on o.id = a.by_org_id
        left join units u on u.id = p.unit_id
        cross join lateral jsonb_array_elements(a.doses) with ordinality as d(item, n)
        where a.trust_id = ${ctx.orgId}::uuid
          and a.given_on between ${firstDay}::date and ${lastDay}::date ${units}
        order by a.given_on, a.id, d.n`);
      let open = await write(`\ufeff${line(EXPORT_HEADER)}`);
      while (open) {
        const batch = await rows<ExportRow>(tx, sql.raw(`fetch ${fetchRows} from administrations_export`));
        if (!batch.length) break;
        let text = '';
        for (const r of batch) {
          text += line([r.given_on, r.nhs_number, r.unit, r.regimen, r.drug, r.dose_mg, r.route, r.place, r.cycle_number, r.given_by]);
          if (Number(r.line) === 1) sentAdministrations++;
        }
        open = await write(text);
        if (open) sentRows += batch.length;
        if (batch.length < fetchRows) break;
      }
      await tx.execute(sql`close administrations_export`);
      await audit(tx, ctx, { action: 'export:administrations', detail: { from: range.from, to: range.to, rows: sentRows, administrations: sentAdministrations, complete: open } });
    });

  run().then(
    () => out.end(),
    async (err: unknown) => {
      // The read rolled back with its audit row; record that the export failed and how much had been sent.
      await db
        .transaction((tx) => audit(tx, ctx, { action: 'export:administrations', outcome: 'failure', detail: { from: range.from, to: range.to, rows: sentRows, administrations: sentAdministrations } }))
        .catch(() => undefined);
      out.destroy(err instanceof Error ? err : new Error(String(err)));
    },
  );
  return out;
}
