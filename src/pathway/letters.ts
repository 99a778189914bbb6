import { pdfBuffer } from '../platform/pdf.ts';
import { createRequire } from 'node:module';
import PdfPrinter from 'pdfmake';
import { and, desc, eq } from 'drizzle-orm';
import { audit } from '../audit/service.ts';
import { withContext, type RequestContext } from '../platform/context.ts';
import type { Db, Tx } from '../platform/db/client.ts';
import { notFound } from '../platform/errors.ts';
import { organisations } from '../organisations/schema.ts';
import { patients } from '../patients/schema.ts';
import { patientScope } from '../patients/scope.ts';
import { currentTemplate } from './letter-templates.ts';
import { composeLetter } from './letters-rules.ts';
import { gpLetters, type Episode, type LetterKind } from './schema.ts';

// Roboto, embedded from pdfmake's own package: unlike the PDF standard fonts (Latin-1 only) it prints names such
// as Łucja Dvořák correctly, and nothing is downloaded.
const require = createRequire(import.meta.url);
const vfs = require('pdfmake/build/vfs_fonts.js') as Record<string, string>;
const font = (name: string) => Buffer.from(vfs[name]!, 'base64');
const printer = new PdfPrinter({
  Roboto: { normal: font('Roboto-Regular.ttf'), bold: font('Roboto-Medium.ttf'), italics: font('Roboto-Italic.ttf'), bolditalics: font('Roboto-MediumItalic.ttf') },
});

/** Renders a letter to PDF bytes; `heading` (addressee and date) comes between the Trust's name and the subject. */
export function renderLetterPdf(subject: string, body: string, trustName: string, heading: string[] = []): Promise<Buffer> {
  const doc = printer.createPdfKitDocument({
    info: { title: subject, author: trustName },
    defaultStyle: { font: 'Roboto', fontSize: 11, lineHeight: 1.3 },
    content: [
      { text: trustName, style: 'header' },
      ...(heading.length ? [{ stack: heading.map((line) => ({ text: line })), margin: [0, 0, 0, 12] as [number, number, number, number] }] : []),
      { text: subject, style: 'subject' },
      ...body.split('\n').map((line) => ({ text: line || ' ' })),
    ],
    styles: { header: { fontSize: 14, bold: true, margin: [0, 0, 0, 12] }, subject: { fontSize: 12, bold: true, margin: [0, 0, 0, 12] } },
    compress: false,
  });
  return pdfBuffer(doc);
}

/**
 * Writes the letter an episode event calls for, inside the event's own transaction, from the template version in
 * force at that moment; the letter stores its full text and that version's label, so a later change of wording
 * never alters a letter already written.
 */
export async function writeLetter(tx: Tx, ctx: RequestContext, episode: Episode, kind: LetterKind, details: { reason?: string | null; note?: string | null; regimenLabel: string }) {
  const [patient] = await tx.select().from(patients).where(eq(patients.id, episode.patientId));
  const [trust] = await tx.select().from(organisations).where(eq(organisations.id, episode.trustId));
  const [provider] = episode.providerId ? await tx.select().from(organisations).where(eq(organisations.id, episode.providerId)) : [];
  const template = await currentTemplate(tx, kind);
  const letter = composeLetter(template, {
    givenName: patient!.givenName,
    familyName: patient!.familyName,
    nhsNumber: patient!.nhsNumber,
    dateOfBirth: patient!.dateOfBirth,
    gpPracticeName: patient!.gpPracticeName,
    gpPracticeCode: patient!.gpPracticeCode,
    regimen: details.regimenLabel,
    providerName: provider?.name ?? null,
    trustName: trust!.name,
    now: ctx.now,
    reason: details.reason,
    note: details.note,
    signedBy: ctx.displayName,
  });
  const pdf = await renderLetterPdf(letter.subject, letter.body, trust!.name, letter.heading);
  const [row] = await tx
    .insert(gpLetters)
    .values({ episodeId: episode.id, patientId: episode.patientId, trustId: episode.trustId, kind, templateVersion: template.label, bodyText: letter.text, pdfBase64: pdf.toString('base64'), createdBy: ctx.userId, createdAt: ctx.now })
    .returning({ id: gpLetters.id });
  await audit(tx, ctx, { action: 'letter:create', patientId: episode.patientId, detail: { letterId: row!.id, kind, templateVersion: template.label } });
}

/** The letters of an episode (Trust only: row-level security hides them from providers). */
export function listLetters(db: Db, ctx: RequestContext, episodeId: string) {
  return withContext(db, ctx, (tx) =>
    tx
      .select({ id: gpLetters.id, kind: gpLetters.kind, templateVersion: gpLetters.templateVersion, createdAt: gpLetters.createdAt })
      .from(gpLetters)
      .where(and(eq(gpLetters.episodeId, episodeId), eq(gpLetters.trustId, ctx.orgId)))
      .orderBy(desc(gpLetters.createdAt)),
  );
}

/** One letter's PDF, audited as a read of the patient's record. */
export function getLetterPdf(db: Db, ctx: RequestContext, episodeId: string, letterId: string) {
  return withContext(db, ctx, async (tx) => {
    const [found] = await tx
      .select({ letter: gpLetters })
      .from(gpLetters)
      .innerJoin(patients, eq(patients.id, gpLetters.patientId))
      .where(and(eq(gpLetters.id, letterId), eq(gpLetters.episodeId, episodeId), eq(gpLetters.trustId, ctx.orgId), patientScope(ctx)));
    const row = found?.letter;
    if (!row) throw notFound('letter');
    await audit(tx, ctx, { action: 'letter:read', patientId: row.patientId, detail: { letterId } });
    return { pdf: Buffer.from(row.pdfBase64, 'base64'), kind: row.kind, createdAt: row.createdAt };
  });
}
