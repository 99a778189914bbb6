import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { users } from '../src/identity/schema.ts';
import { contextFor } from '../src/identity/service.ts';
import { withContext } from '../src/platform/context.ts';
import { scalar } from '../src/platform/db/client.ts';
import { formValues } from '../src/reports/settings-form.ts';
import type { ReportSettings } from '../src/reports/settings.ts';
import { buildReportPopulation } from './support/reports-population.ts';
import { buildWorld, signIn, type Session, type World } from './support/world.ts';

/**
 * Report settings an administrator edits: each save is a new version (CQUIN targets per period, unit costs), the
 * monthly report judges CQUIN and counts savings with the version in force and says which, bad input changes nothing,
 * and the database keeps every version as it was saved.
 */
let w: World;
let adminName: string;
const RANGE = 'from=2026-01&to=2026-05';
const sessions = new Map<string, Session>();
const as = async (username: string) => sessions.get(username) ?? sessions.set(username, await signIn(w.app, username)).get(username)!;

type Version = { version: number; label: string; savedByName: string | null; savedAt: string | null; reason: string | null; settings: ReportSettings };
type Savings = Record<string, number | null | string | boolean>;
type Report = { cquin: { name: string; met: boolean; optedPercent: number | null; target: { name: string; optedPercent: number; offeredPercent: number | null } }[]; savings: { total: Savings }; settings: ReportSettings; settingsVersion: { version: number; label: string } };

async function report(username: string, query = RANGE): Promise<Report> {
  const res = await (await as(username)).request({ method: 'GET', url: `/api/v1/reports/monthly?${query}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Report;
}
async function overview(): Promise<{ current: Version; history: Version[] }> {
  const res = await (await as('admin')).request({ method: 'GET', url: '/api/v1/reports/settings' });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { current: Version; history: Version[] };
}
const versionCount = async () => (await scalar<number>(w.database.db, sql`select count(*)::int from report_settings_versions`))!;
const put = async (username: string, payload: unknown) => (await as(username)).request({ method: 'PUT', url: '/api/v1/reports/settings', payload: payload as Record<string, unknown> });
const postForm = async (username: string, fields: Record<string, string>) =>
  (await as(username)).request({ method: 'POST', url: '/admin/report-settings', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: new URLSearchParams(fields).toString() });
/** The error summary's links and messages of a page. */
const summary = (html: string) => [...html.matchAll(/<a href="#([\w-]+)">([^<]+)<\/a>/g)].map((m) => [m[1]!, m[2]!.trim().replace(/&#39;/g, "'")]);
const savingsOf = async (username: string) => (await report(username)).savings.total as Record<string, number>;

before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  await buildReportPopulation(w);
  adminName = (await w.database.db.select().from(users).where(eq(users.username, 'admin')))[0]!.displayName;
});
after(() => w.close());

test('before any save: the report, its API and the settings page say the defaults are in force', async () => {
  const { current, history } = await overview();
  assert.equal(current.version, 0);
  assert.equal(current.label, 'Default settings (not yet saved by an administrator)');
  assert.deepEqual(history, []);
  const r = await report('cancer-manager');
  assert.equal(r.settingsVersion.label, 'Default settings (not yet saved by an administrator)');
  const page = await (await as('cancer-manager')).request({ method: 'GET', url: `/reports/monthly?${RANGE}`, headers: { accept: 'text/html' } });
  assert.match(page.body, /Made with: Default settings \(not yet saved by an administrator\)\./);
  const home = await (await as('admin')).request({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
  assert.match(home.body, /href="\/admin\/report-settings"/, 'the administrator’s home page links to the settings');
  const settingsPage = await (await as('admin')).request({ method: 'GET', url: '/admin/report-settings', headers: { accept: 'text/html' } });
  assert.equal(settingsPage.statusCode, 200);
  for (const shown of ['Pilot CQUIN: 100% offered, 50% opting for home', '£218.00', '£407.40', '£150.00', 'No version has been saved yet', 'Save a new version']) assert.ok(settingsPage.body.includes(shown), `the page shows "${shown}"`);
});

test('an administrator saves a CQUIN period at 75% opted and a new day-unit tariff on the page: CQUIN is judged against 75%, savings move by the tariff change × home doses', async () => {
  const beforeC = await report('cancer-manager-c');
  assert.deepEqual(beforeC.cquin.map((c) => [c.target.optedPercent, c.optedPercent, c.met]), [[50, 65, true]], 'Trust C meets the default 50%');
  const beforeA = await savingsOf('cancer-manager');
  const oldTariff = beforeC.settings.qipp.dayUnitTariffPence;
  const { current } = await overview();
  const res = await postForm('admin', {
    ...formValues(current.settings),
    'cquin-0-name': 'CQUIN 2026/27: 75% opting for home',
    'cquin-0-from': '2026-04',
    'cquin-0-to': '2027-03',
    'cquin-0-offered': '',
    'cquin-0-opted': '75',
    dayUnitTariff: '250.00',
    reason: 'The 2026/27 CQUIN and the new local tariff',
    basedOn: '0',
  });
  assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
  assert.equal(res.headers.location, '/admin/report-settings?saved=1');

  const afterC = await report('cancer-manager-c');
  assert.deepEqual(afterC.cquin.map((c) => [c.target.name, c.target.optedPercent, c.optedPercent, c.met]), [['CQUIN 2026/27: 75% opting for home', 75, 65, false]], 'the same 65% now misses 75%');
  const march = await report('cancer-manager-c', 'from=2026-01&to=2026-03');
  assert.equal(march.cquin[0]!.target.optedPercent, 50, 'a report ending before the period keeps the default target');
  const commissioner = await report('commissioner');
  assert.ok(commissioner.cquin.every((c) => c.target.optedPercent === 75), 'the aggregate report uses the same saved version');

  const afterA = await savingsOf('cancer-manager');
  const homeDoses = afterA.homeDoses!;
  assert.ok(homeDoses > 0);
  assert.equal(homeDoses, beforeA.homeDoses);
  assert.equal(afterA.tariffPence, 25_000 * homeDoses);
  assert.equal(afterA.cashPence! - beforeA.cashPence!, (25_000 - oldTariff) * homeDoses);

  const label = `Settings version 1, saved by ${adminName} on 1 June 2026`;
  assert.equal(afterC.settingsVersion.label, label);
  const page = await (await as('cancer-manager-c')).request({ method: 'GET', url: `/reports/monthly?${RANGE}`, headers: { accept: 'text/html' } });
  assert.ok(page.body.includes(`Made with: ${label}.`));
  const csv = await (await as('cancer-manager-c')).request({ method: 'GET', url: `/reports/monthly.csv?${RANGE}` });
  assert.ok(csv.body.includes(`Settings in force,"${label}"`) || csv.body.includes(`Settings in force,${label}`), 'the export names the version');
  assert.ok(csv.body.includes('Day-unit tariff per dose,250.00'));
  const audited = await scalar<string>(w.database.db, sql`select detail->>'reason' from audit_log where action = 'report-settings:save' and (detail->>'version')::int = 1`);
  assert.equal(audited, 'The 2026/27 CQUIN and the new local tariff');
});

test('version 2 saved after version 1: both listed newest first, version 1 unchanged, the report uses the latest; removing the period on the page makes version 3', async () => {
  const { current } = await overview();
  assert.equal(current.version, 1);
  const settings = structuredClone(current.settings);
  settings.qipp.homeCareFeePence = 16_000;
  const res = await put('admin', { settings, reason: 'New homecare contract fee', basedOnVersion: 1 });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((res.json() as Version).version, 2);
  const { history } = await overview();
  assert.deepEqual(history.map((h) => [h.version, h.reason, h.savedByName]), [[2, 'New homecare contract fee', adminName], [1, 'The 2026/27 CQUIN and the new local tariff', adminName]]);
  assert.deepEqual([history[1]!.settings.qipp.homeCareFeePence, history[1]!.settings.qipp.dayUnitTariffPence], [15_000, 25_000], 'version 1 reads as it was saved');
  const a = await savingsOf('cancer-manager');
  assert.equal(a.homeCareFeePence, 16_000 * a.homeDoses!);
  assert.equal((await report('cancer-manager')).settingsVersion.version, 2);
  const page = await (await as('admin')).request({ method: 'GET', url: '/admin/report-settings', headers: { accept: 'text/html' } });
  assert.ok(page.body.includes('Home-care fee per dose: £150.00 → £160.00'), 'the history says what changed');

  // A save made from version 1 after version 2 exists would undo it: refused, nothing written.
  const stale = await put('admin', { settings: history[1]!.settings, reason: 'From an old page', basedOnVersion: 1 });
  assert.equal(stale.statusCode, 409, stale.body);
  const stalePage = await postForm('admin', { ...formValues(history[1]!.settings), reason: 'From an old page', basedOn: '1' });
  assert.equal(stalePage.statusCode, 409);
  assert.deepEqual(summary(stalePage.body), [['settings-form', `Version 2 of the settings was saved by ${adminName} after you opened them: check the values shown and save again`]]);
  assert.match(stalePage.body, /name="basedOn" value="2"/, 'sent again, the form is based on the version now in force');
  assert.equal(await versionCount(), 2);

  // Without JavaScript: tick "remove" on the period and save.
  const form = { ...formValues((await overview()).current.settings), 'cquin-0-remove': 'yes', reason: 'The 2026/27 CQUIN was withdrawn', basedOn: '2' };
  const removed = await postForm('admin', form);
  assert.equal(removed.statusCode, 303, removed.body.slice(0, 2000));
  const c = await report('cancer-manager-c');
  assert.deepEqual(c.cquin.map((x) => [x.target.optedPercent, x.met]), [[50, true]], 'back on the default target');
  assert.equal(c.settingsVersion.version, 3);
  assert.equal(c.settings.qipp.homeCareFeePence, 16_000, 'the page kept the value it did not change');
});

test('bad values are refused with the field named, and no version is saved', async () => {
  const count = await versionCount();
  const { current } = await overview();
  const base = () => structuredClone(current.settings);
  const target = { name: 'Next year', from: '2027-04', to: '2028-03', offeredPercent: null, optedPercent: 60 };
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['negative tariff', { settings: { ...base(), qipp: { ...base().qipp, dayUnitTariffPence: -100 } }, reason: 'x' }, 'settings.qipp.dayUnitTariffPence', /day-unit tariff must be 0 or more/],
    ['percent 120', { settings: { ...base(), cquin: [{ ...target, optedPercent: 120 }] }, reason: 'x' }, 'settings.cquin.0.optedPercent', /between 0 and 100/],
    ['to before from', { settings: { ...base(), cquin: [{ ...target, to: '2027-01' }] }, reason: 'x' }, 'settings.cquin.0.to', /must be the same as or after its first month/],
    ['missing reason', { settings: base() }, 'reason', /Enter the reason/],
    ['blank reason', { settings: base(), reason: '   ' }, 'reason', /Enter the reason/],
    ['unknown field', { settings: { ...base(), qipp: { ...base().qipp, discountPence: 5 } }, reason: 'x' }, 'settings.qipp.discountPence', /Remove "discountPence"/],
  ];
  for (const [what, payload, field, message] of cases) {
    const res = await put('admin', payload);
    assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
    const fields = (res.json() as { error: { fields: Record<string, string> } }).error.fields;
    assert.match(fields[field] ?? '', message, `${what}: ${JSON.stringify(fields)}`);
  }

  const values = { ...formValues(current.settings), reason: 'Try bad values' };
  const page = await postForm('admin', { ...values, dayUnitTariff: '£2l8', 'cquin-0-name': 'Next year', 'cquin-0-from': '2027-04', 'cquin-0-to': '2027-01', 'cquin-0-opted': '120', vat: 'twenty', reason: '' });
  assert.equal(page.statusCode, 400);
  assert.deepEqual(summary(page.body), [
    ['cquin-0-to', 'The last month of a CQUIN target must be the same as or after its first month'],
    ['cquin-0-opted', 'The opted target must be between 0 and 100'],
    ['vat', 'Enter the VAT rate as a percentage, for example 20'],
    ['dayUnitTariff', 'Enter the day-unit tariff in pounds and pence, for example 218.00'],
    ['reason', 'Enter the reason for the change'],
  ], 'every problem, in the order of the form');
  assert.ok(page.body.includes('value="£2l8"'), 'the form keeps what was typed');
  const negative = await postForm('admin', { ...values, transport: '-5.00' });
  assert.deepEqual(summary(negative.body), [['transport', 'Enter the patient transport cost in pounds and pence, for example 35.00']]);
  assert.equal(await versionCount(), count);
  assert.equal((await overview()).current.version, current.version);
});

test('only an administrator saves: Trust staff and aggregate viewers are refused, and the page shows them no form', async () => {
  const count = await versionCount();
  const { current } = await overview();
  for (const username of ['trust-nurse', 'cancer-manager', 'commissioner', 'network-lead']) {
    assert.equal((await put(username, { settings: current.settings, reason: 'Not mine to change' })).statusCode, 403, username);
    assert.equal((await postForm(username, { ...formValues(current.settings), reason: 'Not mine to change' })).statusCode, 403, username);
  }
  for (const username of ['trust-nurse', 'cancer-manager']) assert.equal((await (await as(username)).request({ method: 'GET', url: '/api/v1/reports/settings' })).statusCode, 403, username);
  const lead = await (await as('network-lead')).request({ method: 'GET', url: '/admin/report-settings', headers: { accept: 'text/html' } });
  assert.equal(lead.statusCode, 200);
  assert.ok(lead.body.includes(current.label) && !lead.body.includes('Save a new version'), 'read-only for the network lead');
  assert.equal(await versionCount(), count);
});

test('saves at the same moment each get their own version number', async () => {
  const { current } = await overview();
  const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => put('admin', { settings: current.settings, reason: `Save ${i + 1} of 6 at once` })));
  assert.deepEqual(answers.map((r) => r.statusCode), Array(6).fill(200), answers.map((r) => r.body).join(' '));
  const versions = answers.map((r) => (r.json() as Version).version).sort((a, b) => a - b);
  assert.deepEqual(versions, Array.from({ length: 6 }, (_, i) => current.version + 1 + i));
});

test('the database keeps every version as saved: UPDATE and DELETE are refused, even for the request role', async () => {
  const [admin] = await w.database.db.select().from(users).where(eq(users.username, 'admin'));
  const ctx = (await contextFor(w.database.db, admin!, w.clock.now(), null))!;
  const message = (err: Error & { cause?: Error }) => String(err.cause?.message ?? err.message);
  const refused = (err: Error & { cause?: Error }) => /append-only/.test(message(err));
  // The request role holds no UPDATE or DELETE privilege on the table…
  for (const change of [sql`update report_settings_versions set reason = 'rewritten' where version = 1`, sql`delete from report_settings_versions where version = 1`]) {
    await assert.rejects(withContext(w.database.db, ctx, (tx) => tx.execute(change)), (err: Error & { cause?: Error }) => /permission denied/.test(message(err)));
  }
  // …and were it granted by mistake, the trigger still refuses; as it does for the table's owner.
  await assert.rejects(
    w.database.db.transaction(async (tx) => {
      await tx.execute(sql`grant update, delete on report_settings_versions to homeward_app`);
      await tx.execute(sql`set local role homeward_app`);
      await tx.execute(sql`update report_settings_versions set reason = 'rewritten' where version = 1`);
    }),
    refused,
  );
  assert.equal(await scalar<boolean>(w.database.db, sql`select has_table_privilege('homeward_app', 'report_settings_versions', 'UPDATE')`), false, 'the mistaken grant rolled back');
  await assert.rejects(w.database.db.execute(sql`update report_settings_versions set reason = 'rewritten'`), refused);
  await assert.rejects(w.database.db.execute(sql`delete from report_settings_versions`), refused);
  assert.equal(await scalar<string>(w.database.db, sql`select reason from report_settings_versions where version = 1`), 'The 2026/27 CQUIN and the new local tariff');
});
