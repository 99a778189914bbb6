import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * `npm run bench -- --tier pilot --quick`, as CI runs it: on an empty database (a temporary embedded folder, or a new
 * PostgreSQL database with TEST_DATABASE_URL) it makes the pilot population, measures everything, checks the SQL
 * baseline gives the report's numbers, and exits 0 with every figure in its JSON. Timings are never judged here.
 */
const root = new URL('../', import.meta.url).pathname;
const FIGURES = [
  ...['1m', '12m'].flatMap((r) => [`report.network.${r}.ms`, `report.network.${r}.sqlMs`, `report.network.${r}.ratio`, `report.trust.${r}.ms`, `report.trust.${r}.ratio`]),
  'report.sqlMatches',
  'report.growth',
  ...['prescribing', 'visits'].flatMap((w) => ['p50', 'p99', 'bare.p50', 'bare.p99', 'ratio.p50', 'ratio.p99'].map((x) => `worklists.${w}.${x}`)),
  'mixed.p95',
  'mixed.p99',
  'mixed.errorRate',
  'mixed.perSecond',
  'export.rowsPerSecond',
  'export.rows',
  'export.memoryGrowthMb',
  'export.memoryGrowthSecondHalfMb',
  'generator.rowsPerSecond',
];

interface Doc {
  tier: string;
  quick: boolean;
  machine: { cpu: string; cores: number; ramGb: number; node: string };
  database: { kind: string };
  figures: { id: string; label: string; value: number | boolean | null; target: string | null; met: boolean | null }[];
  details: { reports: { checked: { cells: number; trustsChecked: number; trusts: number } }; export: { rows: number; expected: number } };
  errors: string[];
}

test('the quick pilot benchmark runs end to end: exit 0, the SQL baseline matches the report, every figure in the JSON', async () => {
  const work = mkdtempSync(join(tmpdir(), 'homeward-bench-test-'));
  const out = join(work, 'result.json');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  let dropDatabase: (() => Promise<void>) | undefined;
  const args = ['--import', 'tsx', 'bench/run.ts', '--tier', 'pilot', '--quick', '--json', '--out', out];
  if (process.env.TEST_DATABASE_URL) {
    const name = `homeward_bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(process.env.TEST_DATABASE_URL);
    u.pathname = `/${name}`;
    env.DATABASE_URL = u.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else args.push('--data-dir', join(work, 'data'));
  try {
    const run = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    run.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    run.stdout.resume();
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
    assert.equal(code, 0, stderr.slice(-3000));
    const doc = JSON.parse(readFileSync(out, 'utf8')) as Doc;
    assert.deepEqual(doc.errors, []);
    assert.equal(doc.tier, 'pilot');
    assert.equal(doc.quick, true);
    assert.equal(doc.database.kind, process.env.TEST_DATABASE_URL ? 'postgres' : 'embedded');
    assert.ok(doc.machine.cpu && doc.machine.cores > 0 && doc.machine.ramGb > 0 && doc.machine.node.startsWith('v'));
    assert.deepEqual(doc.figures.map((f) => f.id).sort(), [...FIGURES].sort(), 'every figure, once');
    const value = (id: string) => doc.figures.find((f) => f.id === id)!.value;
    assert.equal(value('report.sqlMatches'), true, 'the SQL baseline gives the report’s numbers');
    assert.ok(doc.details.reports.checked.cells > 100, 'cells compared');
    assert.equal(doc.details.reports.checked.trustsChecked, doc.details.reports.checked.trusts, 'every Trust’s own report checked');
    // Measured in this process or one request at a time, so always a number; the load figures may be null when a
    // short run on a busy machine gets no answer back in time, which is a timing, never a failure.
    for (const id of ['report.network.1m.ms', 'report.network.12m.sqlMs', 'report.trust.12m.ms', 'export.rowsPerSecond', 'export.memoryGrowthMb']) {
      assert.equal(typeof value(id), 'number', `${id} measured`);
    }
    assert.ok(doc.details.export.rows > 0 && doc.details.export.rows === doc.details.export.expected, 'the export streamed every administration');
    assert.match(stderr, /\| Figure \| Value \| Target \| Result \|/, 'the markdown table');
  } finally {
    rmSync(work, { recursive: true, force: true });
    await dropDatabase?.();
  }
});
