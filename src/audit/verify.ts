import { sql } from 'drizzle-orm';
import { rows, type Db } from '../platform/db/client.ts';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBroken?: { seq: number; reason: string };
}

/**
 * Recomputes every row's hash and checks each row points at the one before. Reports the first row that does not
 * hold, which is where tampering (or a gap from a deleted row) begins.
 */
export async function verifyAuditChain(db: Db): Promise<VerifyResult> {
  const list = await rows<{ seq: number; hash: string; expected: string; prev_hash: string; prev: string | null }>(
    db,
    sql`select seq::int as seq, hash, audit_row_hash(a) as expected, prev_hash,
               lag(hash) over (order by seq) as prev, lag(seq) over (order by seq)::int as prev_seq
        from audit_log a order by seq`,
  );
  let expectedSeq = 1;
  for (const r of list) {
    if (r.seq !== expectedSeq) return fail(r.seq, `row ${expectedSeq} is missing`, list.length);
    const prev = r.prev ?? '0'.repeat(64);
    if (r.prev_hash !== prev) return fail(r.seq, 'it does not point at the hash of the row before', list.length);
    if (r.hash !== r.expected) return fail(r.seq, 'its contents do not match its hash', list.length);
    expectedSeq++;
  }
  // The head row records the last seq written: rows deleted from the end of the trail leave it pointing past them.
  const head = await rows<{ last_seq: number }>(db, sql`select last_seq::int as last_seq from audit_head where id = 1`);
  const lastSeq = head[0]?.last_seq ?? 0;
  if (lastSeq !== list.length) return fail(list.length + 1, `rows ${list.length + 1} to ${lastSeq} are missing`, list.length);
  return { ok: true, checked: list.length };
}

function fail(seq: number, reason: string, checked: number): VerifyResult {
  return { ok: false, checked, firstBroken: { seq, reason } };
}
