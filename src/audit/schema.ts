import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only audit trail. `seq`, `prevHash` and `hash` are filled by a database trigger that chains each row to
 * the one before (drizzle/0001_security.sql); UPDATE, DELETE and TRUNCATE are refused by the database itself.
 * No foreign keys: the trail must outlive and never block changes to what it describes.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().default(0),
    at: timestamp('at', { withTimezone: true }).notNull(),
    userId: uuid('user_id'),
    username: text('username'),
    orgId: uuid('org_id'),
    role: text('role'),
    patientId: uuid('patient_id'),
    action: text('action').notNull(),
    outcome: text('outcome', { enum: ['success', 'denied', 'failure'] }).notNull(),
    purpose: text('purpose').notNull(),
    ip: text('ip'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    prevHash: text('prev_hash').notNull().default(''),
    hash: text('hash').notNull().default(''),
  },
  (t) => [index('audit_patient_idx').on(t.patientId), index('audit_user_idx').on(t.userId)],
);

/** Single-row head of the hash chain; locking it serialises writers so the chain is gap-free in commit order. */
export const auditHead = pgTable('audit_head', {
  id: integer('id').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
  lastHash: text('last_hash').notNull(),
});

export type AuditRow = typeof auditLog.$inferSelect;
