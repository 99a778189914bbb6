import { and, asc, desc, eq } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { CONSENT_KINDS, consentForms, type ConsentKind } from './config-schema.ts';

export const CONSENT_KIND_LABELS: Record<ConsentKind, string> = {
  'home-treatment': 'Treatment at home',
  'data-sharing': 'Sharing data with the named home-care provider',
};

export interface ConsentFormVersion {
  id: string | null;
  kind: ConsentKind;
  version: string;
  title: string;
  summary: string;
  active: boolean;
  builtIn: boolean;
  createdAt: Date | null;
}

/**
 * The forms in use before an administrator adds any: the pilot's two separate consents (spec §4.2 items 5 and 6;
 * Caldicott principle 8 asks that sharing with a non-NHS provider is explained and agreed on its own).
 */
export const BUILT_IN_CONSENT_FORMS: Record<ConsentKind, ConsentFormVersion> = {
  'home-treatment': {
    id: null,
    kind: 'home-treatment',
    version: 'HOME-TX-1',
    title: 'Consent to receive treatment at home',
    summary: 'I agree to receive my treatment at home from the named home-care provider’s nurses. I understand I can return to hospital treatment at any time without affecting my care.',
    active: true,
    builtIn: true,
    createdAt: null,
  },
  'data-sharing': {
    id: null,
    kind: 'data-sharing',
    version: 'DATA-SHARE-1',
    title: 'Consent to share my information with the home-care provider',
    summary: 'I agree that my hospital may share the information needed for my treatment at home with the named home-care provider, and that the provider will share records of my home visits with my hospital.',
    active: true,
    builtIn: true,
    createdAt: null,
  },
};

const fromRow = (r: typeof consentForms.$inferSelect): ConsentFormVersion => ({ id: r.id, kind: r.kind, version: r.version, title: r.title, summary: r.summary, active: r.active, builtIn: false, createdAt: r.createdAt });

/** All versions of each form, newest first; the built-in version stands only while a kind has none saved. */
export async function consentFormVersions(tx: Db | Tx): Promise<Record<ConsentKind, ConsentFormVersion[]>> {
  const list = (await tx.select().from(consentForms).orderBy(asc(consentForms.kind), desc(consentForms.createdAt))).map(fromRow);
  return Object.fromEntries(CONSENT_KINDS.map((k) => {
    const saved = list.filter((f) => f.kind === k);
    return [k, saved.length ? saved : [BUILT_IN_CONSENT_FORMS[k]]];
  })) as Record<ConsentKind, ConsentFormVersion[]>;
}

/** The versions a nurse may record consent on today (retired versions drop out). */
export async function choosableConsentForms(tx: Db | Tx): Promise<Record<ConsentKind, ConsentFormVersion[]>> {
  const all = await consentFormVersions(tx);
  return Object.fromEntries(CONSENT_KINDS.map((k) => [k, all[k].filter((f) => f.active)])) as Record<ConsentKind, ConsentFormVersion[]>;
}

export function listConsentForms(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, (tx) => consentFormVersions(tx));
}

export interface ConsentFormInput {
  kind: ConsentKind;
  version: string;
  title: string;
  summary: string;
}

/** Adds a new version of a consent form. Versions are never edited: a change of wording is a new version. */
export function addConsentForm(db: Db, ctx: RequestContext, input: ConsentFormInput) {
  return withContext(db, ctx, async (tx) => {
    const [clash] = await tx.select({ id: consentForms.id }).from(consentForms).where(and(eq(consentForms.kind, input.kind), eq(consentForms.version, input.version)));
    if (clash || BUILT_IN_CONSENT_FORMS[input.kind].version === input.version) {
      const msg = `Version ${input.version} of this form already exists. Enter a new version label`;
      throw new AppError('conflict', msg, { version: msg });
    }
    const [row] = await tx.insert(consentForms).values({ ...input, createdBy: ctx.userId, createdAt: ctx.now }).returning();
    await audit(tx, ctx, { action: 'consent-form:create', detail: { kind: input.kind, version: input.version } });
    return fromRow(row!);
  });
}

/** Retires a version so it can no longer be chosen; the last version in use cannot be retired. */
export function retireConsentForm(db: Db, ctx: RequestContext, id: string) {
  return withContext(db, ctx, async (tx) => {
    const [form] = await tx.select().from(consentForms).where(eq(consentForms.id, id));
    if (!form) throw notFound('consent form');
    if (!form.active) return fromRow(form);
    const others = (await tx.select({ id: consentForms.id }).from(consentForms).where(and(eq(consentForms.kind, form.kind), eq(consentForms.active, true)))).filter((f) => f.id !== id);
    if (others.length === 0) {
      const msg = 'Add a newer version of this form before retiring the last one in use';
      throw new AppError('conflict', msg, { [`retire-${id}`]: msg });
    }
    const [row] = await tx.update(consentForms).set({ active: false }).where(eq(consentForms.id, id)).returning();
    await audit(tx, ctx, { action: 'consent-form:retire', detail: { kind: form.kind, version: form.version } });
    return fromRow(row!);
  });
}

/** The versions in use, for the episode page's consent step. */
export function consentFormsInUse(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, (tx) => choosableConsentForms(tx));
}
