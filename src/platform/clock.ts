/** Injectable clock so timeouts and date-bound rules can be tested without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can move forward by hand. */
export class FakeClock implements Clock {
  constructor(private current: Date = new Date('2026-06-01T09:00:00Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = new Date(date.getTime());
  }
}

// Made once: an Intl formatter is costly to build, and a report dates every event it reads.
const LONDON_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in Europe/London as YYYY-MM-DD (clinical dates are local dates). */
export function londonDate(d: Date): string {
  return LONDON_DAY.format(d);
}
