import { isPseudoPostcode } from './rules.ts';
import { and, asc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { audit } from '../audit/service.ts';
import { pgCode, withContext, type RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { units } from '../organisations/schema.ts';
import { patients } from './schema.ts';
import { patientScope, requireAllowedUnit } from './scope.ts';
import { isValidNhsNumber, normaliseNhsNumber } from './rules.ts';
import { lookupImdDecile } from './imd-service.ts';
import type { PatientInput } from './validation.ts';

const MAX_RESULTS = 200;

/** Patients the user may see (their scope from the policy table; row-level security enforces it again below). */
export async function searchPatients(db: Db, ctx: RequestContext, q?: string) {
  return withContext(db, ctx, async (tx) => {
    const filters: SQL[] = [];
    if (q) {
      const compact = normaliseNhsNumber(q);
      if (/^\d{10}$/.test(compact)) filters.push(eq(patients.nhsNumber, compact));
      else if (/^\d{4}-\d{2}-\d{2}$/.test(q)) {
        // An impossible date (2024-02-30) finds nobody rather than reaching the database as a bad value.
        const real = !Number.isNaN(Date.parse(`${q}T00:00:00Z`)) && new Date(`${q}T00:00:00Z`).toISOString().startsWith(q);
        filters.push(real ? eq(patients.dateOfBirth, q) : sql`false`);
      }
      else filters.push(or(ilike(patients.familyName, `%${escapeLike(q)}%`), ilike(patients.givenName, `%${escapeLike(q)}%`))!);
    }
    filters.push(patientScope(ctx));
    const list = await tx
      .select()
      .from(patients)
      .where(and(...filters))
      .orderBy(asc(patients.familyName), asc(patients.givenName))
      .limit(MAX_RESULTS);
    await audit(tx, ctx, { action: 'patient:list', detail: { query: q ?? null, count: list.length, patientIds: list.map((p) => p.id) } });
    return list;
  });
}

function escapeLike(s: string) {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** One patient; another organisation's patient is "not found", exactly like a missing one. */
export async function getPatient(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const [p] = await tx.select().from(patients).where(and(eq(patients.id, id), patientScope(ctx)));
    if (!p) throw notFound('patient');
    await audit(tx, ctx, { action: 'patient:read', patientId: p.id });
    return p;
  });
}

/** Registers a patient with the user's own Trust (the server sets the Trust, never the client). */
export async function createPatient(db: Db, ctx: RequestContext, input: z.infer<typeof PatientInput>) {
  if (!isValidNhsNumber(input.nhsNumber)) throw new AppError('validation', 'Enter a valid NHS number', { nhsNumber: 'Enter a valid NHS number' });
  requireAllowedUnit(ctx, input.unitId);
  try {
    return await withContext(db, ctx, async (tx) => {
      if (input.unitId) {
        const [unit] = await tx.select().from(units).where(and(eq(units.id, input.unitId), eq(units.trustId, ctx.orgId)));
        if (!unit) throw new AppError('validation', 'Select one of your Trust’s units', { unitId: 'Select one of your Trust’s units' });
      }
      // A decile the clinician entered stands; otherwise the published one for the postcode, when the table has it.
      // A pseudo-postcode (no fixed abode, not known) is not a place: it never links to a deprivation decile.
      const imdDecile = input.imdDecile ?? (input.postcode && !isPseudoPostcode(input.postcode) ? await lookupImdDecile(tx, input.postcode) : undefined) ?? null;
      const [p] = await tx
        .insert(patients)
        .values({ ...input, postcode: input.postcode ?? null, unitId: input.unitId ?? null, imdDecile, trustId: ctx.orgId, createdBy: ctx.userId, createdAt: ctx.now, updatedAt: ctx.now })
        .returning();
      await audit(tx, ctx, { action: 'patient:create', patientId: p!.id });
      return p!;
    });
  } catch (err) {
    if (pgCode(err) === '23505') {
      const existing = await findByNhsNumber(db, ctx, input.nhsNumber);
      throw new AppError('conflict', 'A patient with this NHS number is already registered', {
        nhsNumber: `A patient with this NHS number is already registered${existing ? ` (/patients/${existing})` : ''}`,
      });
    }
    throw err;
  }
}

async function findByNhsNumber(db: Db, ctx: RequestContext, nhsNumber: string): Promise<string | undefined> {
  return withContext(db, ctx, async (tx) => {
    const [p] = await tx.select({ id: patients.id }).from(patients).where(eq(patients.nhsNumber, nhsNumber));
    return p?.id;
  });
}
