import { boolean, date, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Kinds of organisation that share the record. */
export const ORG_KINDS = ['trust', 'provider', 'commissioner', 'network'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const organisations = pgTable('organisations', {
  id: uuid('id').primaryKey().defaultRandom(),
  kind: text('kind', { enum: ORG_KINDS }).notNull(),
  odsCode: text('ods_code').notNull().unique(),
  name: text('name').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A Trust's chemotherapy (day) unit. */
export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    active: boolean('active').notNull().default(true),
  },
  (t) => [index('units_trust_idx').on(t.trustId)],
);

/**
 * A data-sharing agreement between a Trust and a home-care provider: the only thing that lets provider staff see
 * that Trust's referred patients. `endedAt` is set when an administrator ends it early; access stops at once.
 */
export const agreements = pgTable(
  'agreements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trustId: uuid('trust_id').notNull().references(() => organisations.id),
    providerId: uuid('provider_id').notNull().references(() => organisations.id),
    reference: text('reference').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on'),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endedReason: text('ended_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('agreements_pair_idx').on(t.trustId, t.providerId)],
);

export type Organisation = typeof organisations.$inferSelect;
export type Unit = typeof units.$inferSelect;
export type Agreement = typeof agreements.$inferSelect;
