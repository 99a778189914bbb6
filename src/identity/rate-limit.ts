/**
 * A fixed-window counter per client address for the sign-in endpoints (RG-09: above 20 attempts a minute from one
 * address → 429), on top of the per-account lockout. In memory: one process serves the embedded database, and a
 * restart clearing the counters is harmless because the account lockout is stored in the database.
 */
export class SignInRateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** Counts one attempt; false when this address is over the limit for the current minute. */
  allow(key: string): boolean {
    const t = this.now();
    const w = this.windows.get(key);
    if (!w || t - w.start >= 60_000) {
      this.windows.set(key, { start: t, count: 1 });
      if (this.windows.size > 10_000) this.prune(t);
      return true;
    }
    w.count++;
    return w.count <= this.perMinute;
  }

  private prune(t: number) {
    for (const [k, w] of this.windows) if (t - w.start >= 60_000) this.windows.delete(k);
  }
}
