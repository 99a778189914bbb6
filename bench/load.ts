/**
 * Load with autocannon: N connections, each sending its next request as soon as the previous answer arrives, for a
 * fixed time. Each request is chosen when it is sent (`next`), so one run can mix routes, users and records in set
 * proportions. Every answer's latency is kept, so any percentile can be given (autocannon's own summary has no p95),
 * and every answer that is not 2xx, and every connection error or timeout, counts as an error.
 */
import { createRequire } from 'node:module';
import { percentile } from './measure.ts';

export interface Target {
  /** What kind of request this is, for the per-kind counts (e.g. "read", "write", "report"). */
  kind: string;
  method?: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  seconds: number;
  connections: number;
  /** Requests answered (or failed) during the run. */
  requests: number;
  /** Requests sent but not yet answered when the run ended (still queued at the server). */
  unanswered: number;
  perSecond: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** Non-2xx answers, connection errors and timeouts. */
  errors: number;
  /** errors ÷ requests; null when no request was answered in time (nothing to judge). */
  errorRate: number | null;
  byKind: Record<string, { requests: number; errors: number; p50: number | null; p99: number | null }>;
  /** The first few errors, to say what went wrong. */
  firstErrors: { kind: string; status: number; body: string }[];
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'done', fn: (result: { errors: number; timeouts: number; non2xx: number; requests: { total: number; sent: number } }) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
}
type Autocannon = (opts: { url: string; connections: number; duration: number; timeout: number; requests: AutocannonRequest[] }) => AutocannonInstance;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;

/** Runs `connections` connections against `url` for `seconds`, each request taken from `next()`. */
export function runLoad(opts: { url: string; connections: number; seconds: number; next: () => Target }): Promise<LoadResult> {
  const latencies: number[] = [];
  const byKind = new Map<string, { latencies: number[]; errors: number }>();
  const firstErrors: LoadResult['firstErrors'] = [];
  let answered: { kind: string; status: number } | null = null;
  const kindOf = (k: string) => byKind.get(k) ?? byKind.set(k, { latencies: [], errors: 0 }).get(k)!;
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: opts.url,
      connections: opts.connections,
      duration: opts.seconds,
      timeout: 30,
      requests: [
        {
          setupRequest: (req, context) => {
            const t = opts.next();
            context.kind = t.kind;
            return { ...req, method: t.method ?? 'GET', path: t.path, headers: { ...(t.body ? { 'content-type': 'application/json' } : {}), ...(t.headers ?? {}) }, ...(t.body ? { body: t.body } : { body: '' }) };
          },
          // Called just before autocannon's own "response" event for the same answer: remember what it was.
          onResponse: (status, body, context) => {
            answered = { kind: String(context.kind), status };
            if ((status < 200 || status >= 300) && firstErrors.length < 5) firstErrors.push({ kind: String(context.kind), status, body: body.slice(0, 300) });
          },
        },
      ],
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      latencies.push(ms);
      const k = kindOf(answered?.kind ?? 'unknown');
      k.latencies.push(ms);
      if (status < 200 || status >= 300) k.errors++;
      answered = null;
    });
    instance.on('error', reject);
    instance.on('done', (result) => {
      const errors = result.non2xx + result.errors;
      const requests = latencies.length + result.errors;
      resolve({
        seconds: opts.seconds,
        connections: opts.connections,
        requests,
        unanswered: Math.max(0, (result.requests.sent ?? requests) - requests),
        perSecond: Math.round(latencies.length / opts.seconds),
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: percentile(latencies, 100),
        errors,
        errorRate: requests ? errors / requests : null,
        byKind: Object.fromEntries([...byKind].map(([k, v]) => [k, { requests: v.latencies.length, errors: v.errors, p50: percentile(v.latencies, 50), p99: percentile(v.latencies, 99) }])),
        firstErrors,
      });
    });
  });
}

/** Takes items in turn from a list (so concurrent requests spread over different records and users). */
export function rotation<T>(items: readonly T[]): () => T {
  if (!items.length) throw new Error('nothing to rotate through');
  let i = 0;
  return () => items[i++ % items.length]!;
}

/** Picks a kind by weight (e.g. { read: 70, write: 25, report: 5 }). */
export function weighted<K extends string>(weights: Record<K, number>, random: () => number = Math.random): () => K {
  const entries = (Object.entries(weights) as [K, number][]).filter(([, w]) => w > 0);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return () => {
    let r = random() * total;
    for (const [k, w] of entries) if ((r -= w) < 0) return k;
    return entries.at(-1)![0];
  };
}
