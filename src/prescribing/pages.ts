import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ctxOf } from '../access/guard.ts';
import type { AppDeps } from '../web/app.ts';
import { renderPage } from '../web/render.ts';
import { formatNhsNumber } from '../patients/rules.ts';
import { coursePages } from './course-pages.ts';
import { prescriptionPages } from './prescription-pages.ts';
import { prescribingWorklists, providerDispensingList, type PrescribingItem } from './worklists.ts';

const presentItem = (i: PrescribingItem) => ({ ...i, nhsNumber: formatNhsNumber(i.nhsNumber) });

/**
 * The prescribing pages: a treatment course, a prescription through its lifecycle, the Trust's prescribing worklists
 * and the provider pharmacy's dispensing list. Every page works without JavaScript; each form posts to a page route
 * with the same policy action as the matching API route, and the services decide everything else.
 */
export async function prescribingPages(base: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  await coursePages(base, deps);
  await prescriptionPages(base, deps);

  app.get('/worklists/prescribing', { config: { action: 'worklist:read' }, schema: { hide: true } }, async (req, reply) => {
    const lists = await prescribingWorklists(db, ctxOf(req));
    return renderPage(req, reply, 'prescribing/views/prescribing-worklists.njk', {
      title: 'Prescribing worklists',
      lists: [
        { id: 'screening', title: 'Prescriptions awaiting screening', dateLabel: 'Dose date', items: lists.awaitingScreening.map(presentItem) },
        { id: 'unreleased', title: 'Doses in the next 14 days without a released prescription', dateLabel: 'Due', items: lists.dosesWithoutRelease.map(presentItem) },
        { id: 'assessment', title: 'LVEF results awaiting assessment', dateLabel: 'Measured', items: lists.lvefAwaitingAssessment.map(presentItem) },
        { id: 'overdue', title: 'LVEF monitoring overdue', dateLabel: 'Was due', items: lists.lvefOverdue.map(presentItem) },
        { id: 'due-soon', title: 'LVEF due in the next 14 days', dateLabel: 'Due', items: lists.lvefDueSoon.map(presentItem) },
      ],
    });
  });

  app.get('/dispensing', { config: { action: 'prescribing:dispense' }, schema: { hide: true } }, async (req, reply) =>
    renderPage(req, reply, 'prescribing/views/dispensing.njk', { title: 'Prescriptions to dispense', items: (await providerDispensingList(db, ctxOf(req))).map(presentItem) }),
  );
}
