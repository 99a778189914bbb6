import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { isValidNhsNumber } from '../src/patients/rules.ts';

/**
 * What a newcomer does: start the real server on an empty embedded data folder, use it, restart it, and try to
 * start a second copy on the same folder. Then check the audit chain with the real command.
 */

const root = new URL('..', import.meta.url).pathname;
const env = (dataDir: string, databaseUrl = '') => ({ ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' });

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

const children: ChildProcess[] = [];

function start(dataDir: string, databaseUrl = ''): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { cwd: root, env: env(dataDir, databaseUrl) });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/localhost:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!.replace('localhost', '127.0.0.1'), output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

function run(args: string[], dataDir: string, databaseUrl = ''): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: env(dataDir, databaseUrl) });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

async function stop(r: Running): Promise<void> {
  r.child.removeAllListeners('exit');
  const exited = new Promise((res) => r.child.on('exit', res));
  r.child.kill('SIGTERM');
  await exited;
}

async function apiSignIn(r: Running, username: string) {
  const res = await fetch(`${r.url}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'homeward-demo' }) });
  assert.equal(res.status, 200, `demo account ${username} signs in: ${await res.clone().text()}\n${r.output().slice(-3000)}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('homeward_session='))!.split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

test('npm start on an empty folder builds the demo, answers /health, keeps its data over a restart, and refuses a second copy', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'homeward-start-'));
  try {
    const first = await start(dataDir);
    assert.match(first.output(), /Building demo data \[1\/\d\]/, 'the demo build shows its progress');
    assert.match(first.output(), /Password: homeward-demo/, 'the console names the demo password');
    const health = await (await fetch(`${first.url}/health`)).json();
    assert.deepEqual({ ...health, version: 'x' }, { status: 'ok', database: 'embedded', version: 'x' });

    for (const u of ['trust-nurse', 'trust-prescriber-b', 'cancer-manager-c', 'provider-nurse', 'commissioner', 'network-lead', 'admin']) await apiSignIn(first, u);
    const nurse = await apiSignIn(first, 'trust-nurse');
    let nhs = '9990099990';
    for (let i = 10; !isValidNhsNumber(nhs); i++) nhs = `99900999${String(i).slice(-2)}`;
    const created = await fetch(`${first.url}/api/v1/patients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: nurse.cookie, 'x-csrf-token': nurse.csrfToken },
      body: JSON.stringify({ nhsNumber: nhs, givenName: 'Persist', familyName: 'Restart', dateOfBirth: '1970-01-01' }),
    });
    assert.equal(created.status, 201);
    const id = ((await created.json()) as { id: string }).id;

    const second = await run(['src/server/main.ts'], dataDir);
    assert.notEqual(second.code, 0, 'a second process on the same data folder exits non-zero');
    assert.match(second.out, /already in use by another Homeward process/);

    await stop(first);
    const again = await start(dataDir);
    assert.doesNotMatch(again.output(), /Building demo data/, 'a restart does not rebuild the demo');
    const nurse2 = await apiSignIn(again, 'trust-nurse');
    const read = await fetch(`${again.url}/api/v1/patients/${id}`, { headers: { cookie: nurse2.cookie } });
    assert.equal(read.status, 200, 'the patient registered before the restart is still there');
    await stop(again);

    const verified = await run(['src/audit/verify-cli.ts'], dataDir);
    assert.equal(verified.code, 0, verified.out);
    assert.match(verified.out, /Audit chain verified: \d+ rows/);

    const pg = await PGlite.create(join(dataDir, 'pglite'));
    await pg.exec(`alter table audit_log disable trigger audit_no_update_delete; update audit_log set purpose = 'altered' where seq = 7; alter table audit_log enable trigger audit_no_update_delete;`);
    await pg.close();
    const broken = await run(['src/audit/verify-cli.ts'], dataDir);
    assert.equal(broken.code, 2);
    assert.match(broken.out, /BROKEN at row 7/);

    const reset = await run(['src/demo/cli.ts', '--reset'], dataDir);
    assert.equal(reset.code, 0, reset.out);
    assert.match(reset.out, /Building demo data \[6\/6\]/);
    const rebuilt = await start(dataDir);
    const nurse3 = await apiSignIn(rebuilt, 'trust-nurse');
    assert.equal((await fetch(`${rebuilt.url}/api/v1/patients/${id}`, { headers: { cookie: nurse3.cookie } })).status, 404, 'demo:reset starts from a clean demo');
    await stop(rebuilt);
    assert.equal((await run(['src/audit/verify-cli.ts'], dataDir)).code, 0, 'and a fresh, intact audit trail');
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('with DATABASE_URL the server runs on PostgreSQL and builds demo data only on npm run demo', { skip: !process.env.TEST_DATABASE_URL && 'set TEST_DATABASE_URL to run against PostgreSQL' }, async () => {
  const base = process.env.TEST_DATABASE_URL!;
  const name = `homeward_start_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'homeward-pg-'));
  try {
    const server = await start(dataDir, url.toString());
    const health = (await (await fetch(`${server.url}/health`)).json()) as { database: string };
    assert.equal(health.database, 'postgres');
    const none = await fetch(`${server.url}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'trust-nurse', password: 'homeward-demo' }) });
    assert.equal(none.status, 401, 'no demo accounts unless asked for');
    const demo = await run(['src/demo/cli.ts'], dataDir, url.toString());
    assert.equal(demo.code, 0, demo.out);
    await apiSignIn(server, 'trust-nurse');
    await stop(server);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
