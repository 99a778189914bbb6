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
 * Runs each function `warmup` times untimed, then `runs` times each, interleaved (so a slow spell of the machine
 * falls on both sides of a comparison), and gives each one's median in ms and its last result.
 */
export async function compareRuns<F extends Record<string, () => Promise<unknown>>>(fns: F, opts: { warmup: number; runs: number }): Promise<{ [K in keyof F]: { medianMs: number; samples: number[]; last: Awaited<ReturnType<F[K]>> } }> {
  const keys = Object.keys(fns) as (keyof F & string)[];
  for (let i = 0; i < opts.warmup; i++) for (const k of keys) await fns[k]!();
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<string, number[]>;
  const last: Record<string, unknown> = {};
  for (let i = 0; i < opts.runs; i++) {
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
  samples: number;
}

/** Samples a process's RSS every `everyMs` until stopped; `stop()` gives the starting and the highest value. */
export function sampleMemory(pid: number, everyMs = 50): { stop: () => MemorySample } {
  const before = rssOf(pid);
  let peak = before;
  let samples = before === null ? 0 : 1;
  const timer = setInterval(() => {
    const v = rssOf(pid);
    if (v === null) return;
    samples++;
    if (peak === null || v > peak) peak = v;
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      const v = rssOf(pid);
      if (v !== null && (peak === null || v > peak)) peak = v;
      return { before, peak, samples };
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
