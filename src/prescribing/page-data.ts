/**
 * Small reads for the prescribing pages: the patient a course or prescription is for (name and NHS number, within the
 * viewer's patient scope) and the names of the people who signed, screened, released or dispensed it. The page's
 * main read (getCourse, getPrescription) has already written the audit row for the patient.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { users } from '../identity/schema.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { notFound } from '../platform/errors.ts';
import { formatNhsNumber } from '../patients/rules.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { cycles, lvefResults } from './schema.ts';

export function pageFacts(db: Db, ctx: RequestContext, patientId: string, userIds: (string | null | undefined)[] = []) {
  return withContext(db, ctx, async (tx) => {
    const [p] = await tx
      .select({ givenName: patients.givenName, familyName: patients.familyName, nhsNumber: patients.nhsNumber })
      .from(patients)
      .where(and(eq(patients.id, patientId), patientScope(ctx)));
    if (!p) throw notFound('patient');
    const ids = [...new Set(userIds.filter((u): u is string => !!u))];
    const named = ids.length ? await tx.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, ids)) : [];
    return {
      patient: { name: `${p.givenName} ${p.familyName}`, nhsNumber: formatNhsNumber(p.nhsNumber) },
      names: Object.fromEntries(named.map((u) => [u.id, u.name])) as Record<string, string>,
    };
  });
}

/** The course a cycle or an LVEF result belongs to, when the viewer may see it (a form on the course page re-shows it). */
export function courseOf(db: Db, ctx: RequestContext, what: 'cycle' | 'LVEF result', id: string) {
  return withContext(db, ctx, async (tx) => {
    const table = what === 'cycle' ? cycles : lvefResults;
    const [row] = await tx.select({ courseId: table.courseId }).from(table).innerJoin(patients, eq(patients.id, table.patientId)).where(and(eq(table.id, id), patientScope(ctx)));
    if (!row) throw notFound(what);
    return row.courseId;
  });
}
