import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { desc, eq } from 'drizzle-orm';
import { auditLog } from '../src/audit/schema.ts';
import { imdDeciles } from '../src/patients/imd-schema.ts';
import { COLUMNS_MESSAGE, csvRecords, findColumns, MAX_LISTED_PROBLEMS, NO_ROWS_MESSAGE, parseImdCsv, refusalMessage } from '../src/patients/imd-rules.ts';
import { readConfig } from '../src/platform/config.ts';
import { openDatabase } from '../src/platform/db/open.ts';
import { organisations } from '../src/organisations/schema.ts';
import { users } from '../src/identity/schema.ts';
import { buildWorld, nextNhsNumber, signIn, type Session, type World } from './support/world.ts';

describe('reading the IMD CSV', () => {
  const rowsOf = (input: string | string[]) => {
    const res = parseImdCsv(input);
    assert.ok(res.ok, JSON.stringify(res));
    return res.rows;
  };

  test('finds the postcode and decile columns by their headings, whatever else the file has', () => {
    assert.deepEqual(findColumns(['Postcode', 'Decile']), { postcode: 0, decile: 1 });
    assert.deepEqual(findColumns(['pcds', 'imd_decile']), { postcode: 0, decile: 1 });
    // The published lookup: a status column that mentions "postcode", and a decile for every domain.
    const published = ['Postcode Status', 'Postcode', 'LSOA code', 'Index of Multiple Deprivation Rank', 'Income Decile', 'Index of Multiple Deprivation (IMD) Decile'];
    assert.deepEqual(findColumns(published), { postcode: 1, decile: 5 });
    assert.deepEqual(findColumns(['Home postcode', 'IMD decile 2019']), { postcode: 0, decile: 1 });
    assert.equal(findColumns(['Postcode', 'Rank']), undefined);
    assert.equal(findColumns(['LSOA', 'Decile']), undefined);
  });

  test('golden cases: headings in any case, quoted fields, a byte-order mark, CRLF, blank lines, any spacing of the postcode', () => {
    assert.deepEqual(rowsOf('Postcode,Decile\nBS1 4DJ,3\nb95ss,10\n'), [{ postcode: 'BS14DJ', decile: 3 }, { postcode: 'B95SS', decile: 10 }]);
    assert.deepEqual(rowsOf('\uFEFFpcds,LSOA name,IMD Decile\r\n"BS1 4DJ","Bristol, central 001A",3\r\n\r\n" m1  1ae ","Manchester ""city""", 7 \r\n'), [
      { postcode: 'BS14DJ', decile: 3 },
      { postcode: 'M11AE', decile: 7 },
    ]);
    assert.deepEqual(rowsOf('Decile,Postcode\r1,SW1A 1AA\r'), [{ postcode: 'SW1A1AA', decile: 1 }], 'old Mac line ends');
    assert.deepEqual(rowsOf('postcode,decile\nZZ99 3VZ,5'), [{ postcode: 'ZZ993VZ', decile: 5 }], 'no newline at the end; an NHS pseudo-postcode');
  });

  test('text fed in chunks reads the same however it is split, even inside a quote or a CRLF', () => {
    const text = '\uFEFF"Postcode","Name","Decile"\r\n"BS1 4DJ","a ""quoted"", name\r\nover two lines",3\r\nM1 1AE,plain,7\r\n';
    const whole = [...csvRecords(text)];
    assert.deepEqual(whole, [
      { line: 1, fields: ['Postcode', 'Name', 'Decile'] },
      { line: 2, fields: ['BS1 4DJ', 'a "quoted", name\r\nover two lines', '3'] },
      { line: 4, fields: ['M1 1AE', 'plain', '7'] },
    ]);
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      assert.deepEqual([...csvRecords(chunks)], whole, `chunks of ${size}`);
    }
  });

  test('each bad row is named by its line, and one bad row refuses the whole file', () => {
    const res = parseImdCsv('Postcode,Decile\nBS1 4DJ,3\nNOT A CODE,4\nM1 1AE,11\n,2\nB9 5SS,\nbs14dj,5\nSW1A 1AA,2.5\nE1 6AN,6\n');
    assert.equal(res.ok, false);
    assert.ok(!res.ok);
    assert.deepEqual(res.errors, [
      'Line 3: enter a real postcode, for example B9 5SS',
      'Line 4: enter a decile from 1 to 10',
      'Line 5: enter a postcode',
      'Line 6: enter a decile from 1 to 10',
      'Line 7: remove this postcode: it is already on line 2',
      'Line 8: enter a decile from 1 to 10',
    ]);
    assert.equal(res.problems, 6);
    assert.equal(refusalMessage(res), 'The file has 6 rows with problems. Nothing was imported: correct the file and upload it again.');
    const both = parseImdCsv('Postcode,Decile\nXX,0\n');
    assert.ok(!both.ok);
    assert.deepEqual(both.errors, ['Line 2: enter a real postcode, for example B9 5SS; enter a decile from 1 to 10']);
  });

  test('a file with many bad rows lists the first 20 and counts them all', () => {
    const lines = ['Postcode,Decile', ...Array.from({ length: 45 }, (_, i) => `BS1 ${i % 10}AA,0`)];
    const res = parseImdCsv(lines.join('\n'));
    assert.ok(!res.ok);
    assert.equal(res.errors.length, MAX_LISTED_PROBLEMS);
    assert.equal(res.problems, 45);
    assert.equal(res.errors[0], 'Line 2: enter a decile from 1 to 10');
    assert.match(refusalMessage(res), /^The file has 45 rows with problems \(the first 20 are listed\)\. Nothing was imported/);
  });

  test('an empty file, a file without the columns, or without rows is refused with a clear message', () => {
    for (const text of ['', '\uFEFF', '\n\n', 'Name,Rank\nBS1 4DJ,3\n', 'Postcode\nBS1 4DJ\n']) {
      const res = parseImdCsv(text);
      assert.ok(!res.ok, JSON.stringify(text));
      assert.deepEqual(res.errors, [COLUMNS_MESSAGE], JSON.stringify(text));
      assert.equal(refusalMessage(res), `${COLUMNS_MESSAGE}. Nothing was imported.`);
    }
    const headerOnly = parseImdCsv('Postcode,Decile\r\n');
    assert.ok(!headerOnly.ok);
    assert.deepEqual(headerOnly.errors, [NO_ROWS_MESSAGE], 'an empty edition would silently wipe the table');
  });
});

describe('importing and using the IMD table', () => {
  let w: World;
  let admin: Session;
  before(async () => {
    w = await buildWorld({ patientsPerTrust: 1 });
    admin = await signIn(w.app, 'admin');
  });
  after(() => w.close());

  const CSV = 'Postcode,LSOA name,Index of Multiple Deprivation (IMD) Decile\r\n"B9 5SS","Birmingham 053C",1\r\nBS1 4DJ,"Bristol, central",6\r\nm11ae,Manchester 054C,4\r\n';
  const postImport = (s: Session, body: string, filename = 'imd-2019.csv', headers: Record<string, string> = {}) =>
    s.request({ method: 'POST', url: `/api/v1/admin/imd-deciles?filename=${encodeURIComponent(filename)}`, headers: { 'content-type': 'text/csv', ...headers }, payload: body });
  const status = async () => (await admin.request({ method: 'GET', url: '/api/v1/admin/imd-deciles' })).json() as { postcodes: number; lastImport: { id: string; filename: string; rows: number; importedBy: string; importedByUsername: string } | null };
  const tableRows = async () => (await w.database.db.select().from(imdDeciles)).map((r) => `${r.postcode}=${r.decile}`).sort();

  /** A no-JavaScript browser's upload: the CSRF token travels in the form, not in a header. */
  const upload = (s: Session, fields: { csrf?: string; filename?: string; content?: string }) => {
    const boundary = '----homeward-test-boundary';
    const parts: string[] = [];
    if (fields.csrf !== undefined) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${fields.csrf}\r\n`);
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fields.filename ?? ''}"\r\nContent-Type: text/csv\r\n\r\n${fields.content ?? ''}\r\n`);
    parts.push(`--${boundary}--\r\n`);
    return w.app.inject({
      method: 'POST',
      url: '/admin/imd',
      headers: { cookie: `homeward_session=${s.cookie}`, accept: 'text/html', 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: parts.join(''),
    });
  };

  test('before any import the table is empty and the page says so', async () => {
    assert.deepEqual(await status(), { postcodes: 0, lastImport: null });
    const page = await admin.request({ method: 'GET', url: '/admin/imd', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /No table has been imported yet/);
    assert.match(page.body, /enctype="multipart\/form-data"/);
    const home = await admin.request({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    assert.match(home.body, /href="\/admin\/imd"/, 'the administrator’s home page links to it');
  });

  test('an administrator imports a CSV through the API; the status shows it and the import is audited', async () => {
    const res = await postImport(admin, CSV);
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json() as { id: string; filename: string; rows: number };
    assert.equal(body.rows, 3);
    assert.equal(body.filename, 'imd-2019.csv');
    const s = await status();
    assert.equal(s.postcodes, 3);
    assert.equal(s.lastImport?.id, body.id);
    assert.equal(s.lastImport?.rows, 3);
    assert.equal(s.lastImport?.importedByUsername, 'admin');
    assert.deepEqual(await tableRows(), ['B95SS=1', 'BS14DJ=6', 'M11AE=4']);

    const [row] = await w.database.db.select().from(auditLog).where(eq(auditLog.action, 'imd:import')).orderBy(desc(auditLog.seq)).limit(1);
    assert.ok(row, 'the import is in the audit trail');
    assert.equal(row.username, 'admin');
    assert.equal(row.patientId, null);
    assert.equal(row.outcome, 'success');
    assert.deepEqual(row.detail, { rows: 3, filename: 'imd-2019.csv' });
  });

  test('a file with a bad row is refused, names the line, and leaves the table as it was', async () => {
    const before = await tableRows();
    const res = await postImport(admin, 'Postcode,Decile\nE1 6AN,2\nE2 7AA,2\nE3 2AB,12\n');
    assert.equal(res.statusCode, 400);
    const { error } = res.json() as { error: { message: string; fields: Record<string, string> } };
    assert.match(error.message, /1 row with a problem\. Nothing was imported/);
    assert.deepEqual(error.fields, { 'line-4': 'Line 4: enter a decile from 1 to 10' });
    assert.deepEqual(await tableRows(), before);

    const noColumns = await postImport(admin, 'Name,Rank\nx,1\n');
    assert.equal(noColumns.statusCode, 400);
    assert.equal(noColumns.json().error.message, `${COLUMNS_MESSAGE}. Nothing was imported.`);
    const noName = await admin.request({ method: 'POST', url: '/api/v1/admin/imd-deciles', headers: { 'content-type': 'text/csv' }, payload: CSV });
    assert.equal(noName.statusCode, 400);
    assert.ok(noName.json().error.fields.filename);
    assert.deepEqual(await tableRows(), before);
  });

  test('a file over the usual 1 MiB request limit imports; one over 100 MB is refused with that limit named', async () => {
    // 30,000 postcodes with a long ignored column: about 2 MB.
    const letters = 'ABDEFGHJLNPQRSTUWXYZ';
    const lines = ['Postcode,LSOA name,IMD Decile'];
    for (let k = 0; k < 30_000; k++) lines.push(`LS${1 + Math.floor(k / 4000)} ${Math.floor(k / 400) % 10}${letters[Math.floor(k / 20) % 20]}${letters[k % 20]},Leeds neighbourhood with a long descriptive name ${k},${1 + (k % 10)}`);
    const big = lines.join('\n');
    assert.ok(big.length > 1024 * 1024);
    const res = await postImport(admin, big, 'large.csv');
    assert.equal(res.statusCode, 201, res.body.slice(0, 300));
    assert.equal((await status()).postcodes, 30_000, 'the new edition replaced the old one entirely');

    const tooBig = await postImport(admin, 'Postcode,Decile\n', 'huge.csv', { 'content-length': String(101 * 1024 * 1024) });
    assert.equal(tooBig.statusCode, 413);
    assert.equal(tooBig.json().error.message, 'The file must be smaller than 100 MB');
    // Other routes keep the usual limit.
    const elsewhere = await admin.request({ method: 'POST', url: '/api/v1/admin/organisations', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ kind: 'trust', odsCode: 'RZZ', name: 'x'.repeat(1_100_000) }) });
    assert.equal(elsewhere.statusCode, 413);
  });

  test('an administrator uploads the file through the page without JavaScript: the token travels in the form', async () => {
    const res = await upload(admin, { csrf: admin.csrf, filename: 'imd-2025.csv', content: CSV });
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const location = String(res.headers.location);
    assert.match(location, /^\/admin\/imd\?imported=[0-9a-f-]{36}$/);
    const page = await admin.request({ method: 'GET', url: location, headers: { accept: 'text/html' } });
    assert.match(page.body, /Imported 3 postcodes/);
    assert.match(page.body, /imd-2025\.csv/);
    const s = await status();
    assert.equal(s.postcodes, 3);
    assert.equal(s.lastImport?.filename, 'imd-2025.csv');
    const plain = await admin.request({ method: 'GET', url: '/admin/imd', headers: { accept: 'text/html' } });
    assert.doesNotMatch(plain.body, /Imported 3 postcodes/, 'the confirmation shows once, after the upload');
  });

  test('the page shows an NHS error summary for a missing file, a bad file, and a bad row, and imports nothing', async () => {
    const before = await tableRows();
    const none = await upload(admin, { csrf: admin.csrf });
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /nhsuk-error-summary/);
    assert.match(none.body, /href="#file">\s*Select a CSV file/);
    assert.match(none.body, /<title>Error: /);

    const empty = await upload(admin, { csrf: admin.csrf, filename: 'empty.csv', content: '' });
    assert.match(empty.body, /The selected file is empty/);

    const columns = await upload(admin, { csrf: admin.csrf, filename: 'wrong.csv', content: 'Name,Rank\nx,1\n' });
    assert.equal(columns.statusCode, 400);
    assert.match(columns.body, /The file must have a postcode column and a decile column/);

    const bad = await upload(admin, { csrf: admin.csrf, filename: 'bad.csv', content: 'Postcode,Decile\nE1 6AN,2\nE2 7AA,0\n' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /href="#file">\s*Line 3: enter a decile from 1 to 10/);
    assert.match(bad.body, /id="file-error"/);
    const tooBig = await w.app.inject({
      method: 'POST',
      url: '/admin/imd',
      headers: { cookie: `homeward_session=${admin.cookie}`, accept: 'text/html', 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(101 * 1024 * 1024) },
      payload: '--x--\r\n',
    });
    assert.equal(tooBig.statusCode, 413);
    assert.match(tooBig.body, /href="#file">\s*The file must be smaller than 100 MB/);
    assert.deepEqual(await tableRows(), before);
  });

  test('an upload without the form token is refused before anything is read into the table', async () => {
    const before = await tableRows();
    const res = await upload(admin, { filename: 'imd.csv', content: 'Postcode,Decile\nE1 6AN,2\n' });
    assert.equal(res.statusCode, 403);
    const wrong = await upload(admin, { csrf: 'not-the-token', filename: 'imd.csv', content: 'Postcode,Decile\nE1 6AN,2\n' });
    assert.equal(wrong.statusCode, 403);
    assert.deepEqual(await tableRows(), before);
  });

  test('nobody but an administrator may see or replace the table', async () => {
    const nurse = await signIn(w.app, 'trust-nurse');
    assert.equal((await nurse.request({ method: 'GET', url: '/api/v1/admin/imd-deciles' })).statusCode, 403);
    assert.equal((await postImport(nurse, CSV)).statusCode, 403);
    assert.equal((await nurse.request({ method: 'GET', url: '/admin/imd', headers: { accept: 'text/html' } })).statusCode, 403);
    assert.equal((await upload(nurse, { csrf: nurse.csrf, filename: 'imd.csv', content: CSV })).statusCode, 403);
    const home = await nurse.request({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    assert.doesNotMatch(home.body, /href="\/admin\/imd"/);
  });

  test('a patient registered with a postcode in the table and no decile gets the published decile; one entered is kept', async () => {
    assert.equal((await postImport(admin, CSV)).statusCode, 201);
    const nurse = await signIn(w.app, 'trust-nurse');
    const register = (extra: Record<string, unknown>) =>
      nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName: 'Ida', familyName: 'Decile', dateOfBirth: '1960-01-01', ...extra } });
    const units = ((await admin.request({ method: 'GET', url: `/api/v1/admin/organisations/${(await w.org('RX1')).id}` })).json() as { units: { id: string }[] }).units;
    const unitId = units[0]!.id;

    const looked = await register({ postcode: 'bs1 4dj', unitId });
    assert.equal(looked.statusCode, 201, looked.body);
    assert.equal(looked.json().imdDecile, 6, 'looked up from the postcode, whatever its spacing');
    const entered = await register({ postcode: 'BS1 4DJ', imdDecile: 2, unitId });
    assert.equal(entered.json().imdDecile, 2, 'the clinician’s own entry stands');
    const unknown = await register({ postcode: 'E1 6AN', unitId });
    assert.equal(unknown.json().imdDecile, null);
    const noPostcode = await register({ unitId });
    assert.equal(noPostcode.json().imdDecile, null);

    // The same through the registration form, whose hint says so.
    const form = await nurse.request({ method: 'GET', url: '/patients/new', headers: { accept: 'text/html' } });
    assert.match(form.body, /Leave blank to look it up from the postcode/);
    const posted = await nurse.request({
      method: 'POST',
      url: '/patients',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ nhsNumber: nextNhsNumber(), givenName: 'Form', familyName: 'Decile', dateOfBirth: '1961-03-27', postcode: 'B9 5SS', imdDecile: '', unitId }).toString(),
    });
    assert.equal(posted.statusCode, 303, posted.body.slice(0, 400));
    const id = String(posted.headers.location).split('/').pop();
    assert.equal((await nurse.request({ method: 'GET', url: `/api/v1/patients/${id}` })).json().imdDecile, 1);
  });
});

describe('the imd:import command', () => {
  const exec = promisify(execFile);
  const cli = join(import.meta.dirname, '..', 'src', 'patients', 'imd-cli.ts');
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'homeward-imd-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (file: string) =>
    exec(process.execPath, ['--import', 'tsx', cli, file], { env: { ...process.env, DATA_DIR: join(dir, 'data'), DATABASE_URL: '' }, cwd: join(import.meta.dirname, '..') }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  test('refuses a bad file with its lines, then imports a good one as the first active administrator, showing progress', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'Postcode,Decile\nBS1 4DJ,3\nBS1 4DJ,4\n');
    const refused = await run(bad);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /Line 3: remove this postcode: it is already on line 2/);

    // A fresh database with one administrator, as `npm run demo` or an installation would leave it.
    const database = await openDatabase({ ...readConfig({}), dataDir: join(dir, 'data') });
    const [org] = await database.db.insert(organisations).values({ kind: 'network', odsCode: 'Y99', name: 'Test network' }).returning();
    await database.db.insert(users).values({ username: 'first.admin', displayName: 'First Admin', passwordHash: 'unused', orgId: org!.id, role: 'admin' });
    await database.close();

    const good = join(dir, 'imd.csv');
    const lines = ['pcds,IMD decile'];
    // Inward letters never C, I, K, M, O or V (BS7666): 20 letters × 20 × 10 digits gives 4,000 distinct postcodes in LS1.
    const L = 'ABDEFGHJLNPQRSTUWXYZ';
    for (let k = 0; k < 2500; k++) lines.push(`LS1 ${k % 10}${L[Math.floor(k / 10) % 20]}${L[Math.floor(k / 200) % 20]},${1 + (k % 10)}`);
    writeFileSync(good, lines.join('\n'));
    const done = await run(good);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout.trim(), 'Imported 2500 postcodes');
    assert.match(done.stderr, /40% \(1000 of 2500 postcodes\)/);
    assert.match(done.stderr, /100% \(2500 of 2500 postcodes\)/);

    const check = await openDatabase({ ...readConfig({}), dataDir: join(dir, 'data') });
    const [audited] = await check.db.select().from(auditLog).where(eq(auditLog.action, 'imd:import'));
    assert.equal(audited?.username, 'first.admin');
    assert.deepEqual(audited?.detail, { rows: 2500, filename: 'imd.csv' });
    await check.close();
  });
});
