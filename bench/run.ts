// `npm run bench`: request latency and memory for the foundation's hot paths, on the embedded database (default)
// or PostgreSQL (DATABASE_URL). Numbers are printed, never asserted: tests check behaviour, this measures speed.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openEmbedded, openPostgres, type Database } from '../src/platform/db/client.ts';
import { buildApp } from '../src/web/app.ts';
import { buildDemo } from '../src/demo/build.ts';
import { verifyAuditChain } from '../src/audit/verify.ts';
import { withCheckDigit } from '../src/demo/patients.ts';

const N = Number(process.env.BENCH_N ?? 300);
const url = process.env.DATABASE_URL;

async function open(): Promise<{ database: Database; cleanup: () => Promise<void> }> {
  if (!url) {
    const database = await openEmbedded('memory://');
    return { database, cleanup: () => database.close() };
  }
  const name = `homeward_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const database = await openPostgres(u.toString());
  return {
    database,
    cleanup: async () => {
      await database.close();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

function summary(label: string, samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(2);
  const total = s.reduce((a, b) => a + b, 0);
  return { operation: label, n: s.length, 'ops/s': ((s.length / total) * 1000).toFixed(0), 'p50 ms': q(0.5), 'p95 ms': q(0.95), 'max ms': s.at(-1)!.toFixed(2) };
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

const t0 = performance.now();
const { database, cleanup } = await open();
console.log(`backend: ${database.kind}; opened and migrated in ${(performance.now() - t0).toFixed(0)} ms`);
const [demoMs] = await time(() => buildDemo(database.db, { password: 'bench-password-1', patientsPerTrust: 20 }));
console.log(`demo network built in ${demoMs.toFixed(0)} ms`);
const app = await buildApp({ database, signInRateLimit: 1e9 });
await app.ready();

const results = [];
const signIns: number[] = [];
let cookie = '';
let csrf = '';
for (let i = 0; i < 20; i++) {
  const [ms, res] = await time(() => app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username: 'trust-nurse', password: 'bench-password-1' } }));
  signIns.push(ms);
  cookie = `homeward_session=${res.cookies.find((c) => c.name === 'homeward_session')!.value}`;
  csrf = (res.json() as { csrfToken: string }).csrfToken;
}
results.push(summary('sign in (argon2id verify)', signIns));

const creates: number[] = [];
const ids: string[] = [];
for (let k = 0; ids.length < N; k++) {
  const nhs = withCheckDigit(`98${String(1_000_000 + k).slice(-7)}`);
  if (!nhs) continue;
  const [ms, res] = await time(() =>
    app.inject({ method: 'POST', url: '/api/v1/patients', headers: { cookie, 'x-csrf-token': csrf }, payload: { nhsNumber: nhs, givenName: 'Bench', familyName: `Patient${k}`, dateOfBirth: '1960-01-01' } }),
  );
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.body}`);
  creates.push(ms);
  ids.push((res.json() as { id: string }).id);
}
results.push(summary('register patient (API, audited)', creates));

const reads: number[] = [];
for (const id of ids) reads.push((await time(() => app.inject({ method: 'GET', url: `/api/v1/patients/${id}`, headers: { cookie } })))[0]);
results.push(summary('read patient (API, audited, RLS)', reads));

const searches: number[] = [];
for (let i = 0; i < 100; i++) searches.push((await time(() => app.inject({ method: 'GET', url: `/api/v1/patients?q=Patient${i}`, headers: { cookie } })))[0]);
results.push(summary('search patients by name', searches));

const pages: number[] = [];
for (let i = 0; i < 100; i++) pages.push((await time(() => app.inject({ method: 'GET', url: `/patients/${ids[i]}`, headers: { cookie, accept: 'text/html' } })))[0]);
results.push(summary('patient page (HTML, nhsuk macros)', pages));

console.table(results);
const [verifyMs, verified] = await time(() => verifyAuditChain(database.db));
console.log(`audit:verify over ${verified.checked} rows: ${verifyMs.toFixed(0)} ms (${verified.ok ? 'intact' : 'BROKEN'})`);
const mem = process.memoryUsage();
console.log(`memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
await app.close();
await cleanup();
