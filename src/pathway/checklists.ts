import { desc, eq } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { users } from '../identity/schema.ts';
import { regimenNames, treatableRegimens } from '../prescribing/regimen-store.ts';
import { suitabilityChecklists } from './config-schema.ts';
import { checklistConfigProblems, codeFor, DEFAULT_CHECKLIST, type ChecklistItem } from './suitability.ts';

export interface ChecklistVersion {
  regimen: string;
  /** The regimen's name in the library, for pages. */
  regimenLabel?: string;
  /** 0 is the built-in default from spec §4.2, in force until an administrator saves a version. */
  version: number;
  items: ChecklistItem[];
  changedAt: Date | null;
  changedBy: string | null;
}

const builtIn = (regimen: string): ChecklistVersion => ({ regimen, version: 0, items: DEFAULT_CHECKLIST.map((i) => ({ ...i })), changedAt: null, changedBy: null });

/** The checklist in force for a regimen: the newest saved version, or the default. */
export async function currentChecklist(tx: Db | Tx, regimen: string): Promise<ChecklistVersion> {
  const [row] = await tx
    .select({ c: suitabilityChecklists, by: users.displayName })
    .from(suitabilityChecklists)
    .leftJoin(users, eq(users.id, suitabilityChecklists.createdBy))
    .where(eq(suitabilityChecklists.regimen, regimen))
    .orderBy(desc(suitabilityChecklists.version))
    .limit(1);
  return row ? { regimen, version: row.c.version, items: row.c.items, changedAt: row.c.createdAt, changedBy: row.by } : builtIn(regimen);
}

/** A regimen in the library (any version), or 404; returns its name. */
async function knownRegimen(tx: Db | Tx, regimen: string): Promise<string> {
  const name = (await regimenNames(tx))[regimen];
  if (!name) throw notFound('regimen');
  return name;
}

/** The checklist in force for every regimen patients can be offered (the library decides which: data, not code). */
export function listChecklists(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, async (tx) => Promise.all((await treatableRegimens(tx)).map(async (r) => ({ ...(await currentChecklist(tx, r.value)), regimenLabel: r.text }))));
}

export function getChecklist(db: Db, ctx: RequestContext, regimen: string) {
  return withContext(db, ctx, async (tx) => ({ ...(await currentChecklist(tx, regimen)), regimenLabel: await knownRegimen(tx, regimen) }));
}

export type ChecklistEdit = { code?: string; text: string; naAllowed?: boolean };

/**
 * Saves a new version of a regimen's checklist. Items keep their codes (so answers stay comparable across
 * versions); a new item gets a code made from its wording. Assessments already made keep the version they used.
 */
export function saveChecklist(db: Db, ctx: RequestContext, regimen: string, edits: ChecklistEdit[]) {
  return withContext(db, ctx, async (tx) => {
    const regimenLabel = await knownRegimen(tx, regimen);
    const current = { ...(await currentChecklist(tx, regimen)), regimenLabel };
    const taken = edits.flatMap((e) => (e.code ? [e.code] : []));
    const items: ChecklistItem[] = [];
    for (const e of edits) {
      const code = e.code ?? codeFor(e.text, [...taken, ...items.map((i) => i.code)]);
      items.push({ code, text: e.text.trim(), ...(e.naAllowed ? { naAllowed: true } : {}) });
    }
    const problems = checklistConfigProblems(items);
    if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
    const version = current.version + 1;
    await tx.insert(suitabilityChecklists).values({ regimen, version, items, createdBy: ctx.userId, createdAt: ctx.now });
    await audit(tx, ctx, { action: 'checklist:update', detail: { regimen, version, items: items.length } });
    return { ...current, version, items, changedAt: ctx.now, changedBy: ctx.displayName };
  });
}
