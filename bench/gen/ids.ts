/**
 * Row ids for the benchmark data: valid version-4-shaped UUIDs that are deterministic (the same seed gives the same
 * ids) and increase in the order rows are written, so primary-key indexes are filled at their right-hand end instead
 * of at random places — the difference between minutes and hours at ten million rows.
 */
import { mix32 } from './random.ts';

export class IdSource {
  private next = 0;
  private readonly prefix: string;
  constructor(tableCode: number, seed: number) {
    const run = (mix32(seed + 0x1234567) & 0xffff).toString(16).padStart(4, '0');
    this.prefix = `${(0xb0000000 + tableCode).toString(16)}-${run}-4`;
  }
  /** The next id: table code, run, then a counter (15 hex digits across the last three groups). */
  id(): string {
    return this.format(this.next++);
  }
  /** The next counter, for rows whose id the database formats (see sql()). */
  take(): number {
    return this.next++;
  }
  /** The id of a counter. */
  format(n: number): string {
    const hi = Math.floor(n / 0x1000000000000);
    const lo = n % 0x1000000000000;
    return `${this.prefix}${hi.toString(16).padStart(3, '0')}-8000-${lo.toString(16).padStart(12, '0')}`;
  }
  /** Reserves `n` consecutive ids (for rows the database writes) and returns the first counter. */
  reserve(n: number): number {
    const first = this.next;
    this.next += n;
    return first;
  }
  /** SQL for the id with counter `expr` (counters stay below 2^48, so the first counter group is always 000). */
  sql(expr: string): string {
    return `('${this.prefix}000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
  }
  get count(): number {
    return this.next;
  }
}
