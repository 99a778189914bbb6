/**
 * Small measuring tools for the benchmark: medians and percentiles of timings, repeated runs after a warm-up, the
 * resident memory of a process sampled from /proc while something runs, and what machine the figures came from.
 */
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** The p-th percentile (0–100) of a list of numbers, nearest rank; null for an empty list. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median: the middle value, or the mean of the two middle values. */
export function median(values: readonly number[]): number {
  if (!values.length) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Milliseconds taken by one call, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result };
}

/**
 * Runs each function `warmup` times untimed, then up to `runs` times each, interleaved (so a slow spell of the machine
 * falls on both sides of a comparison), and gives each one's median in ms and its last result. Once the timed rounds
 * have taken `budgetMs`, no further round starts (at least one always runs): a report that takes minutes at the
 * largest tier is timed fewer times rather than holding the run up for an hour.
 */
export async function compareRuns<F extends Record<string, () => Promise<unknown>>>(fns: F, opts: { warmup: number; runs: number; budgetMs?: number }): Promise<{ [K in keyof F]: { medianMs: number; samples: number[]; last: Awaited<ReturnType<F[K]>> } }> {
  const keys = Object.keys(fns) as (keyof F & string)[];
  for (let i = 0; i < opts.warmup; i++) for (const k of keys) await fns[k]!();
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<string, number[]>;
  const last: Record<string, unknown> = {};
  const started = performance.now();
  for (let i = 0; i < opts.runs; i++) {
    if (i > 0 && opts.budgetMs !== undefined && performance.now() - started > opts.budgetMs) break;
    for (const k of keys) {
      const r = await timed(fns[k]!);
      samples[k]!.push(r.ms);
      last[k] = r.result;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, { medianMs: median(samples[k]!), samples: samples[k]!, last: last[k] }])) as { [K in keyof F]: { medianMs: number; samples: number[]; last: Awaited<ReturnType<F[K]>> } };
}

/** The resident set size of a process in bytes (Linux /proc), or null where that cannot be read. */
export function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface MemorySample {
  /** RSS when sampling started, bytes. */
  before: number | null;
  /** The highest RSS seen, bytes. */
  peak: number | null;
  /** The highest RSS seen in the first and in the second half of the time sampled, bytes. */
  peakFirstHalf: number | null;
  peakSecondHalf: number | null;
  samples: number;
}

/** Samples a process's RSS every `everyMs` until stopped; `stop()` gives the starting and the highest value. */
export function sampleMemory(pid: number, everyMs = 50): { stop: () => MemorySample } {
  const started = performance.now();
  const before = rssOf(pid);
  const seen: { at: number; rss: number }[] = before === null ? [] : [{ at: 0, rss: before }];
  const sample = () => {
    const v = rssOf(pid);
    if (v !== null) seen.push({ at: performance.now() - started, rss: v });
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const half = (performance.now() - started) / 2;
      const max = (list: typeof seen) => (list.length ? Math.max(...list.map((x) => x.rss)) : null);
      return { before, peak: max(seen), peakFirstHalf: max(seen.filter((x) => x.at <= half)), peakSecondHalf: max(seen.filter((x) => x.at > half)), samples: seen.length };
    },
  };
}

/** The machine the figures were measured on. */
export function machine() {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    ramGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

export const MB = 2 ** 20;
