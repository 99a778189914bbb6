import { desc, eq } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { pgCode, withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { users } from '../identity/schema.ts';
import { letterTemplates } from './config-schema.ts';
import { composeLetter, LETTER_KIND_LABELS, LETTER_TEMPLATES, normaliseTemplateText, sampleLetterFacts, templateProblems, templateVersionLabel } from './letters-rules.ts';
import { LETTER_KINDS, type LetterKind } from './schema.ts';

export interface TemplateVersion {
  kind: LetterKind;
  kindLabel: string;
  /** 0 is the built-in default, in force until an administrator saves a version. */
  version: number;
  /** What letters written from this version store, e.g. GP-RETURN-2. */
  label: string;
  subject: string;
  body: string;
  changedAt: Date | null;
  changedBy: string | null;
}

const UNIQUE_VIOLATION = '23505';

const builtIn = (kind: LetterKind): TemplateVersion => ({
  kind,
  kindLabel: LETTER_KIND_LABELS[kind],
  version: 0,
  label: LETTER_TEMPLATES[kind].version,
  subject: LETTER_TEMPLATES[kind].subject,
  body: LETTER_TEMPLATES[kind].body,
  changedAt: null,
  changedBy: null,
});

export function isLetterKind(kind: string): kind is LetterKind {
  return (LETTER_KINDS as readonly string[]).includes(kind);
}

function knownKind(kind: string): LetterKind {
  if (!isLetterKind(kind)) throw notFound('letter template');
  return kind;
}

/**
 * The template in force for a kind of letter: the newest saved version, or the built-in default. Called inside the
 * episode event's transaction, so a letter and the version it names are read together.
 */
export async function currentTemplate(tx: Db | Tx, kind: LetterKind): Promise<TemplateVersion> {
  const [row] = await tx.select().from(letterTemplates).where(eq(letterTemplates.kind, kind)).orderBy(desc(letterTemplates.version)).limit(1);
  if (!row) return builtIn(kind);
  return { kind, kindLabel: LETTER_KIND_LABELS[kind], version: row.version, label: templateVersionLabel(kind, row.version), subject: row.subject, body: row.body, changedAt: row.createdAt, changedBy: null };
}

/** As `currentTemplate`, with the name of whoever saved it (for the administrator's pages). */
async function currentWithAuthor(tx: Tx, kind: LetterKind): Promise<TemplateVersion> {
  const [row] = await tx
    .select({ t: letterTemplates, by: users.displayName })
    .from(letterTemplates)
    .leftJoin(users, eq(users.id, letterTemplates.createdBy))
    .where(eq(letterTemplates.kind, kind))
    .orderBy(desc(letterTemplates.version))
    .limit(1);
  if (!row) return builtIn(kind);
  return { kind, kindLabel: LETTER_KIND_LABELS[kind], version: row.t.version, label: templateVersionLabel(kind, row.t.version), subject: row.t.subject, body: row.t.body, changedAt: row.t.createdAt, changedBy: row.by };
}

/** Every kind's template in force. */
export function listTemplates(db: Db, ctx: RequestContext) {
  return withContext(db, ctx, (tx) => Promise.all(LETTER_KINDS.map((k) => currentWithAuthor(tx, k))));
}

export function getTemplate(db: Db, ctx: RequestContext, kind: string) {
  const k = knownKind(kind);
  return withContext(db, ctx, (tx) => currentWithAuthor(tx, k));
}

/**
 * Saves a new version of a kind's template. Letters already written keep their text and the label of the version
 * they used; the next letter of this kind uses the new wording. Nothing is saved when the wording has a problem.
 */
export async function saveTemplate(db: Db, ctx: RequestContext, kind: string, input: { subject: string; body: string }): Promise<TemplateVersion> {
  const k = knownKind(kind);
  const problems = templateProblems(input.subject, input.body);
  if (Object.keys(problems).length) throw new AppError('validation', Object.values(problems)[0]!, problems);
  const subject = normaliseTemplateText(input.subject);
  const body = normaliseTemplateText(input.body);
  try {
    return await withContext(db, ctx, async (tx) => {
      const current = await currentTemplate(tx, k);
      const version = current.version + 1;
      const label = templateVersionLabel(k, version);
      await tx.insert(letterTemplates).values({ kind: k, version, subject, body, createdBy: ctx.userId, createdAt: ctx.now });
      await audit(tx, ctx, { action: 'letter-template:update', detail: { kind: k, version, label, previous: current.label } });
      return { kind: k, kindLabel: LETTER_KIND_LABELS[k], version, label, subject, body, changedAt: ctx.now, changedBy: ctx.displayName };
    });
  } catch (err) {
    // Two administrators saving the same kind at once both aim at the same next version; the second is told.
    if (pgCode(err) === UNIQUE_VIOLATION) {
      const message = 'Someone else saved this letter template at the same time. Check the wording in force and try again.';
      throw new AppError('conflict', message, { body: message });
    }
    throw err;
  }
}

/** A template filled for a fictional patient, as the GP would read it. */
export function previewTemplate(template: { subject: string; body: string }, ctx: Pick<RequestContext, 'now' | 'displayName'>) {
  return composeLetter(template, sampleLetterFacts(ctx.now, ctx.displayName));
}
