/**
 * The monthly report's counts from one hand-written SQL query: what an analyst with direct access to the database
 * would write, and the floor the report service is measured against (report time ÷ this query's time). It follows
 * the definitions of docs/reporting.md exactly (src/reports/rules.ts is the product's one implementation):
 *
 * - the choice cohort (suitable, offered, opted, declined by reason, undecided, awaiting, reverted): episodes first
 *   assessed suitable in the period and still eligible at its end, their latest choice as at the period's last day;
 * - activity (started at home, returned to hospital by reason, completed): events dated in the period;
 * - active at home: the state after the last event on or before the period's last day.
 *
 * Like the report, it leaves out episodes that cannot count in the range (no event since it began, not active at
 * home): the floor is the best a query can do, not a scan of years of history.
 *
 * Events are ordered by their version; dates are Europe/London. The answer is one row per level (network, Trust, unit),
 * period (each month and "total") and figure, compared cell by cell with the report; any difference fails the run.
 *
 * It reads every Trust's rows as the database owner, so it needs a connection that row-level security does not limit
 * (a superuser or BYPASSRLS role: the embedded database's user, and the usual benchmark PostgreSQL).
 */
import { sql } from 'drizzle-orm';
import { rows, scalar, type Db } from '../src/platform/db/client.ts';
import { monthBounds } from '../src/reports/months.ts';
import type { MonthlyReport } from '../src/reports/report.ts';
import { COUNT_FIGURES } from '../src/reports/rules.ts';

export type Level = 'network' | 'trust' | 'unit';
/** Cell key → count. Figures are COUNT_FIGURES, `declined:<reason>` and `returned:<reason>`. */
export type Cells = Map<string, number>;

export const cellKey = (level: Level, trustId: string | null, unitId: string | null, period: string, figure: string) =>
  `${level}|${level === 'network' ? '' : trustId}|${level === 'unit' ? (unitId ?? 'none') : ''}|${period}|${figure}`;

/** The one query: every count of the report for the months given, network-wide or for one Trust. */
export function baselineQuery(months: readonly string[], trustId: string | null) {
  const firstDay = monthBounds(months[0]!).start;
  const lastMonthStart = monthBounds(months.at(-1)!).start;
  const lastDay = monthBounds(months.at(-1)!).end;
  const trust = trustId ? sql`and e.trust_id = ${trustId}::uuid` : sql``;
  return sql`
    with periods as (
      select to_char(m, 'YYYY-MM') as period, m::date as start_d, (m + interval '1 month' - interval '1 day')::date as end_d
      from generate_series(${firstDay}::date, ${lastMonthStart}::date, interval '1 month') as m
      union all
      select 'total', ${firstDay}::date, ${lastDay}::date
    ),
    ev as (
      select e.id as ep, e.trust_id, u.id as unit_id, x.event, x.to_state, x.reason_code, x.version,
             (x.at at time zone 'Europe/London')::date as on_d
      from episode_events x
      join episodes e on e.id = x.episode_id
      join patients p on p.id = e.patient_id
      left join units u on u.id = p.unit_id and u.trust_id = e.trust_id
      where x.at < ((${lastDay}::date + 1)::timestamp at time zone 'Europe/London') ${trust}
        -- Only episodes that can count in the range: an event since it began, or active at home (the report's rule).
        and e.id in (select y.id from episodes y where y.state = 'active-at-home'
                     union select y.episode_id from episode_events y where y.at >= (${firstDay}::date::timestamp at time zone 'Europe/London'))
    ),
    status as (
      select ev.ep, ev.trust_id, ev.unit_id, pr.period, pr.start_d,
        (array_agg(ev.on_d order by ev.version) filter (where ev.event = 'assess' and ev.to_state = 'suitable'))[1] as suitable_on,
        (array_agg(ev.to_state order by ev.version desc) filter (where ev.event = 'assess'))[1] as last_assessment,
        bool_or(ev.event = 'accept') as accepted,
        bool_or(ev.event = 'offer') as offered,
        (array_agg(ev.event order by ev.version desc) filter (where ev.event in ('offer', 'accept', 'decline', 'undecided')))[1] as last_choice,
        (array_agg(coalesce(ev.reason_code, 'OTHER') order by ev.version desc) filter (where ev.event in ('offer', 'accept', 'decline', 'undecided')))[1] as choice_reason,
        min(ev.version) filter (where ev.event = 'accept') as first_accept,
        max(ev.version) filter (where ev.event in ('return-to-hospital', 'withdraw-consent')) as last_leaving,
        (array_agg(ev.to_state order by ev.version desc))[1] as state_at_end
      from ev join periods pr on ev.on_d <= pr.end_d
      group by ev.ep, ev.trust_id, ev.unit_id, pr.period, pr.start_d
    ),
    cohort as (
      select * from status where suitable_on >= start_d and (last_assessment = 'suitable' or accepted)
    ),
    activity as (
      select ev.trust_id, ev.unit_id, pr.period, ev.event, ev.reason_code
      from ev join periods pr on ev.on_d between pr.start_d and pr.end_d
      where ev.event in ('start-home', 'complete', 'return-to-hospital', 'withdraw-consent')
    ),
    contributions as (
      select trust_id, unit_id, period, 'suitable' as figure from cohort
      union all select trust_id, unit_id, period, 'offered' from cohort where offered
      union all select trust_id, unit_id, period, case last_choice when 'offer' then 'awaiting' when 'accept' then 'opted' when 'decline' then 'declined' else 'undecided' end
        from cohort where last_choice is not null
      union all select trust_id, unit_id, period, 'declined:' || choice_reason from cohort where last_choice = 'decline'
      union all select trust_id, unit_id, period, 'reverted' from cohort where last_choice = 'accept' and last_leaving > first_accept
      union all select trust_id, unit_id, period, 'activeAtHome' from status where state_at_end = 'active-at-home'
      union all select trust_id, unit_id, period, case event when 'start-home' then 'startedAtHome' when 'complete' then 'completed' else 'returnedToHospital' end from activity
      union all select trust_id, unit_id, period, 'returned:' || case when event = 'withdraw-consent' then 'CONSENT_WITHDRAWN' else coalesce(reason_code, 'OTHER') end
        from activity where event in ('return-to-hospital', 'withdraw-consent')
    )
    select case when grouping(unit_id) = 0 then 'unit' when grouping(trust_id) = 0 then 'trust' else 'network' end as level,
           trust_id::text as trust_id, unit_id::text as unit_id, period, figure, count(*)::int as n
    from contributions
    group by grouping sets ((trust_id, unit_id, period, figure), (trust_id, period, figure), (period, figure))`;
}

/** Refuses to run where row-level security would hide rows from the query (it would then count too few). */
export async function checkBaselineAccess(db: Db): Promise<void> {
  const ok = await scalar<boolean>(db, sql`select rolsuper or rolbypassrls from pg_roles where rolname = current_user`);
  if (!ok) throw new Error('The SQL baseline reads every Trust directly: connect as a superuser or a role with BYPASSRLS');
}

/** Runs the baseline and gives its counts by cell. */
export async function runBaseline(db: Db, months: readonly string[], trustId: string | null = null): Promise<Cells> {
  const list = await rows<{ level: Level; trust_id: string | null; unit_id: string | null; period: string; figure: string; n: number }>(db, baselineQuery(months, trustId));
  const cells: Cells = new Map();
  for (const r of list) if (r.n) cells.set(cellKey(r.level, r.trust_id, r.unit_id, r.period, r.figure), Number(r.n));
  return cells;
}

/** The report's counts by cell: null where a number is withheld. */
export function reportCells(report: Pick<MonthlyReport, 'rows'>): Map<string, number | null> {
  const cells = new Map<string, number | null>();
  for (const r of report.rows) {
    const put = (figure: string, v: number | null) => cells.set(cellKey(r.level, r.trustId, r.unitId, r.period, figure), v);
    for (const f of COUNT_FIGURES) put(f, r.counts[f]);
    for (const [reason, v] of Object.entries(r.declineReasons)) put(`declined:${reason}`, v);
    for (const [reason, v] of Object.entries(r.returnReasons)) put(`returned:${reason}`, v);
  }
  return cells;
}

export interface Comparison {
  /** Cells compared (shown by the report, or counted by the query). */
  compared: number;
  /** Cells the report withholds (small numbers), not compared. */
  withheld: number;
  /** The first difference, described, or null when every compared cell agrees. */
  difference: string | null;
}

/**
 * Compares the report's cells with the query's, for the levels given. A cell missing on one side is 0 (the query
 * returns no row for a zero; the report has no row for a unit without episodes). Withheld cells are skipped.
 */
export function compareCells(report: Map<string, number | null>, baseline: Cells, levels: readonly Level[]): Comparison {
  const keys = new Set([...report.keys(), ...baseline.keys()].filter((k) => levels.includes(k.split('|')[0] as Level)));
  let compared = 0;
  let withheld = 0;
  for (const k of [...keys].sort()) {
    const shown = report.has(k) ? report.get(k)! : 0;
    if (shown === null) {
      withheld++;
      continue;
    }
    compared++;
    const expected = baseline.get(k) ?? 0;
    if (shown !== expected) {
      const [level, trust, unit, period, figure] = k.split('|');
      const where = level === 'network' ? 'network' : level === 'trust' ? `Trust ${trust}` : `Trust ${trust} unit ${unit}`;
      return { compared, withheld, difference: `${where}, ${period}, ${figure}: report ${shown}, SQL ${expected}` };
    }
  }
  return { compared, withheld, difference: null };
}

/** Adds Trusts' cells up into network cells (for checking the network level against Trusts' own reports). */
export function networkFromTrusts(cells: Map<string, number | null>): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const [k, v] of cells) {
    const [level, , , period, figure] = k.split('|');
    if (level !== 'trust') continue;
    const key = cellKey('network', null, null, period!, figure!);
    const prev = out.get(key);
    out.set(key, v === null || prev === null ? null : (prev ?? 0) + v);
  }
  return out;
}
