import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { rows, scalar } from '../src/platform/db/client.ts';
import { DEMO_NAMES } from '../src/demo/network.ts';
import { gpAddressee, LETTER_TEMPLATES, templateProblems, templateVersionLabel } from '../src/pathway/letters-rules.ts';
import { buildWorld, nextNhsNumber, signIn, type Session, type World, REFERRAL_DETAILS, ALL_MET, CONSENT } from './support/world.ts';
import { pdfText } from './support/pdf.ts';

let w: World;
let admin: Session;
let nurse: Session;
let coordinator: Session;
let providerId: string;
before(async () => {
  w = await buildWorld({ patientsPerTrust: 1 });
  admin = await signIn(w.app, 'admin');
  nurse = await signIn(w.app, 'trust-nurse');
  coordinator = await signIn(w.app, 'provider-coordinator');
  providerId = (await w.org('HX1')).id;
});
after(() => w.close());

const RIVERSIDE = { gpPracticeCode: 'B81001', gpPracticeName: 'Riverside Surgery' };

/** A new patient's episode taken to treatment at home (which writes the start letter). */
async function atHome(givenName: string, familyName: string, gp: Partial<typeof RIVERSIDE> = RIVERSIDE): Promise<string> {
  const p = await nurse.request({ method: 'POST', url: '/api/v1/patients', payload: { nhsNumber: nextNhsNumber(), givenName, familyName, dateOfBirth: '1961-09-09', ...gp } });
  assert.equal(p.statusCode, 201, p.body);
  const e = await nurse.request({ method: 'POST', url: `/api/v1/patients/${p.json().id}/episodes`, payload: { regimen: 'trastuzumab-sc-3-weekly' } });
  assert.equal(e.statusCode, 201, e.body);
  const id = e.json().id as string;
  const steps: [Session, string, object][] = [
    [nurse, 'events', { event: 'assess', answers: ALL_MET }],
    [nurse, 'events', { event: 'offer', offeredOn: '2026-05-28', leafletVersion: 'v1' }],
    [nurse, 'events', { event: 'accept' }],
    [nurse, 'events', { event: 'refer', providerId, ...REFERRAL_DETAILS }],
    [coordinator, 'referral-response', { decision: 'accept' }],
    [nurse, 'events', CONSENT],
    [nurse, 'events', { event: 'start-home' }],
  ];
  for (const [s, path, payload] of steps) {
    w.clock.advance(1_000);
    const r = await s.request({ method: 'POST', url: `/api/v1/episodes/${id}/${path}`, payload });
    assert.equal(r.statusCode, 200, `${JSON.stringify(payload)}: ${r.body}`);
  }
  return id;
}

async function returnToHospital(episodeId: string): Promise<void> {
  w.clock.advance(1_000);
  const r = await nurse.request({ method: 'POST', url: `/api/v1/episodes/${episodeId}/events`, payload: { event: 'return-to-hospital', reasonCode: 'CLINICAL', note: 'Needs closer review' } });
  assert.equal(r.statusCode, 200, r.body);
}

/** The episode's return letter: the version label it stores and the text of its PDF. */
async function returnLetter(episodeId: string): Promise<{ templateVersion: string; text: string }> {
  const list = (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}/letters` })).json() as { letters: { kind: string; href: string; templateVersion: string }[] };
  const letter = list.letters.find((l) => l.kind === 'return');
  assert.ok(letter, 'the episode has a return letter');
  const pdf = await nurse.request({ method: 'GET', url: letter.href });
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  return { templateVersion: letter.templateVersion, text: pdfText(pdf.rawPayload) };
}

type TemplateOut = { kind: string; version: number; label: string; subject: string; body: string; changedAt: string | null; changedBy: string | null };
async function templateOf(kind: string): Promise<TemplateOut> {
  const res = await admin.request({ method: 'GET', url: '/api/v1/admin/letter-templates' });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { templates: TemplateOut[] }).templates.find((t) => t.kind === kind)!;
}

const auditRows = (kind: string) =>
  rows<{ username: string; patient_id: string | null; detail: { kind: string; version: number; label: string } }>(
    w.database.db,
    sql`select username, patient_id, detail from audit_log where action = 'letter-template:update' and detail->>'kind' = ${kind} order by seq`,
  );

test('rules: what a template must contain, and how letters are addressed and labelled', () => {
  assert.deepEqual(templateProblems(LETTER_TEMPLATES.return.subject, LETTER_TEMPLATES.return.body), {}, 'the built-in wording is acceptable');
  assert.deepEqual(templateProblems('  ', ''), { subject: 'Enter the subject', body: 'Enter the letter text' });
  assert.match(templateProblems('S', 'Re {patientName} {nhsNumber} {foo}').body!, /^Remove \{foo\}: it is not a placeholder\. You can use \{patientName\}, \{nhsNumber\}, .*\{gpAddressee\}$/);
  assert.match(templateProblems('S', 'Re {patientName} {nhsNumber} {patientName').body!, /^Close the brace after \{patientName/);
  assert.match(templateProblems('S', 'Re {patientName} {nhsNumber} }').body!, /no \{ before it/);
  assert.equal(templateProblems('S', 'Re {patientName}, born {dateOfBirth}').body, 'The letter must name the patient: include {patientName} and {nhsNumber}');
  assert.match(templateProblems('x'.repeat(201), 'Re {patientName} {nhsNumber}').subject!, /200 characters or fewer/);
  assert.match(templateProblems('S', `Re {patientName} {nhsNumber} ${'x'.repeat(5000)}`).body!, /5,000 characters or fewer/);
  assert.match(templateProblems('About {bar}', 'Re {patientName} {nhsNumber}').subject!, /^Remove \{bar\}/);
  assert.equal(gpAddressee({ name: 'Riverside Surgery', code: 'B81001' }), 'The GP, Riverside Surgery (B81001)');
  assert.equal(gpAddressee({ name: null, code: null }), 'The patient’s GP (practice not recorded)');
  assert.equal(templateVersionLabel('start', 0), 'GP-START-1', 'the built-in default keeps the label letters already carry');
  assert.equal(templateVersionLabel('return', 2), 'GP-RETURN-3');
  assert.equal(templateVersionLabel('completion', 1), 'GP-COMPLETE-2');
});

test('an admin changes the return-letter wording through the API: the next letter uses it and names the new version; a letter already written keeps its wording', async () => {
  const before = await returnLetterAfterReturn(await atHome('Olive', 'Earlier'));
  assert.equal(before.templateVersion, 'GP-RETURN-1');
  assert.match(before.text, /To: The GP, Riverside Surgery \(B81001\)/, 'the letter is addressed to the patient’s GP practice');
  assert.match(before.text, /Olive Earlier has returned from home treatment/);
  const waiting = await atHome('Oscar', 'Later');

  assert.equal((await templateOf('return')).version, 0, 'the built-in wording is in force at first');
  const put = await admin.request({
    method: 'PUT',
    url: '/api/v1/admin/letter-templates/return',
    payload: { subject: 'Back to hospital care: {patientName}', body: 'Dear Doctor at {gpPracticeName},\n\n{patientName}, NHS number {nhsNumber}, is treated at {trustName} again from {date}. Reason: {reason}.{note}\n\n{signedBy}' },
  });
  assert.equal(put.statusCode, 200, put.body);
  assert.equal(put.json().version, 1);
  assert.equal(put.json().label, 'GP-RETURN-2');
  const listed = await templateOf('return');
  assert.equal(listed.label, 'GP-RETURN-2');
  assert.equal(listed.changedBy, DEMO_NAMES.admin, 'who changed it is shown');
  assert.ok(listed.changedAt);

  await returnToHospital(waiting);
  const after = await returnLetter(waiting);
  assert.equal(after.templateVersion, 'GP-RETURN-2', 'the letter stores the version it was written from');
  assert.match(after.text, /Back to hospital care: Oscar Later/);
  assert.match(after.text, /Dear Doctor at Riverside Surgery,/);
  assert.match(after.text, /Oscar Later, NHS number \d{3} \d{3} \d{4}, is treated at .+ again from/);
  assert.match(after.text, /Reason: Clinical reason\. Needs closer review/);
  assert.doesNotMatch(after.text, /has returned from home treatment/);

  const again = await returnLetter(before.episodeId);
  assert.equal(again.templateVersion, 'GP-RETURN-1');
  assert.equal(again.text, before.text, 'a letter already written is unchanged');

  const audited = await auditRows('return');
  assert.equal(audited.length, 1, 'the change is audited');
  assert.equal(audited[0]!.username, 'admin');
  assert.equal(audited[0]!.patient_id, null, 'a template change is about no patient');
  assert.equal(audited[0]!.detail.label, 'GP-RETURN-2');
});

/** Returns the episode to hospital and reads its return letter, keeping the episode id for a second look. */
async function returnLetterAfterReturn(episodeId: string) {
  await returnToHospital(episodeId);
  return { episodeId, ...(await returnLetter(episodeId)) };
}

test('an admin changes the wording through the pages: the form, placeholders and preview, a preview of changes, then save with a success banner', async () => {
  const html = { accept: 'text/html' };
  const list = await admin.request({ method: 'GET', url: '/admin/letter-templates', headers: html });
  assert.equal(list.statusCode, 200);
  for (const kind of ['start', 'return', 'completion']) assert.match(list.body, new RegExp(`href="/admin/letter-templates/${kind}"`));
  assert.match(list.body, /GP-RETURN-2/);
  assert.match(list.body, /GP-START-1 \(built-in\)/);

  const edit = await admin.request({ method: 'GET', url: '/admin/letter-templates/return', headers: html });
  assert.equal(edit.statusCode, 200);
  assert.match(edit.body, /name="_csrf"/);
  assert.match(edit.body, /<input[^>]+id="subject"[^>]+value="Back to hospital care: \{patientName\}"/);
  assert.match(edit.body, /<textarea[^>]+id="body"/);
  assert.match(edit.body, /\{gpAddressee\}/, 'the placeholders are listed');
  assert.match(edit.body, /Back to hospital care: Alex Sample/, 'the preview fills the wording in force for a fictional patient');
  assert.match(edit.body, /To: The GP, Riverside Surgery \(B81001\)/);

  const body = 'Dear Doctor,\r\n\r\nRe: {patientName}, NHS number {nhsNumber}\r\n\r\n{patientName} is back in hospital care at {trustName} from {date}: {reason}.{note}\r\n\r\n{signedBy}';
  const form = (extra: Record<string, string> = {}) => new URLSearchParams({ _csrf: admin.csrf, subject: 'Return to hospital care', body, ...extra }).toString();
  const post = (payload: string) => admin.request({ method: 'POST', url: '/admin/letter-templates/return', headers: { ...html, 'content-type': 'application/x-www-form-urlencoded' }, payload });

  const preview = await post(form({ preview: 'yes' }));
  assert.equal(preview.statusCode, 200, preview.body);
  assert.match(preview.body, /Preview of your changes \(not saved\)/);
  assert.match(preview.body, /Alex Sample is back in hospital care/);
  assert.equal((await templateOf('return')).version, 1, 'a preview saves nothing');

  const saved = await post(form());
  assert.equal(saved.statusCode, 303, saved.body);
  assert.equal(saved.headers.location, '/admin/letter-templates/return?saved=1');
  const banner = await admin.request({ method: 'GET', url: saved.headers.location, headers: html });
  assert.match(banner.body, /nhsuk-notification-banner--success/);
  assert.match(banner.body, /Version GP-RETURN-3 of this letter is now in force/);
  const current = await templateOf('return');
  assert.equal(current.version, 2);
  assert.ok(!current.body.includes('\r'), 'line endings from the form are stored as plain newlines');

  const episodeId = await atHome('Pearl', 'Formwright');
  await returnToHospital(episodeId);
  const letter = await returnLetter(episodeId);
  assert.equal(letter.templateVersion, 'GP-RETURN-3');
  assert.match(letter.text, /Return to hospital care/);
  assert.match(letter.text, /Pearl Formwright is back in hospital care at .+: Clinical reason\. Needs closer review/);
  assert.equal((await auditRows('return')).length, 2);
});

test('wording with an unknown placeholder, without the patient’s identifiers or without a subject is refused with a clear message, and nothing is saved', async () => {
  const version = (await templateOf('start')).version;
  const cases: [object, string, RegExp][] = [
    [{ subject: 'Start', body: 'Re {patientName}, NHS number {nhsNumber}, {foo}' }, 'body', /^Remove \{foo\}: it is not a placeholder\. You can use \{patientName\}/],
    [{ subject: 'Start', body: 'Dear Doctor, your patient {patientName} started at home on {date}.' }, 'body', /^The letter must name the patient: include \{patientName\} and \{nhsNumber\}$/],
    [{ subject: '', body: LETTER_TEMPLATES.start.body }, 'subject', /^Enter the subject$/],
    [{ subject: 'Start', body: '' }, 'body', /^Enter the letter text$/],
    [{ subject: 'Start', body: 'Re {patientName {nhsNumber}' }, 'body', /^Close the brace after \{patientName/],
    [{ subject: 'Start' }, 'body', /Enter the letter text/],
    [{ subject: 'Start', body: LETTER_TEMPLATES.start.body, version: 9 }, 'version', /not a field/],
  ];
  for (const [payload, field, message] of cases) {
    const r = await admin.request({ method: 'PUT', url: '/api/v1/admin/letter-templates/start', payload });
    assert.equal(r.statusCode, 400, `${JSON.stringify(payload)}: ${r.body}`);
    assert.match(r.json().error.fields?.[field] ?? '', message, `${JSON.stringify(payload)}: ${r.body}`);
  }
  assert.equal((await templateOf('start')).version, version, 'nothing was saved');
  assert.equal((await auditRows('start')).length, 0);

  // The page shows the same message in the NHS error summary, linked to the field, and keeps what was typed.
  const typed = 'Dear Doctor,\n\n{patientName} started on {date}.';
  const page = await admin.request({
    method: 'POST',
    url: '/admin/letter-templates/start',
    headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: admin.csrf, subject: '', body: typed }).toString(),
  });
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /<title>Error: /);
  assert.match(page.body, /nhsuk-error-summary/);
  assert.match(page.body, /<a href="#subject">\s*Enter the subject\s*<\/a>/);
  assert.match(page.body, /<a href="#body">\s*The letter must name the patient: include \{patientName\} and \{nhsNumber\}\s*<\/a>/);
  assert.ok(page.body.includes('{patientName} started on {date}.'), 'what was typed is kept');
  assert.equal((await templateOf('start')).version, version, 'nothing was saved');

  // Only the three kinds of letter exist.
  assert.equal((await admin.request({ method: 'PUT', url: '/api/v1/admin/letter-templates/referral', payload: { subject: 'S', body: LETTER_TEMPLATES.start.body } })).statusCode, 404);
  assert.equal((await admin.request({ method: 'GET', url: '/admin/letter-templates/referral', headers: { accept: 'text/html' } })).statusCode, 404);
  assert.equal((await admin.request({ method: 'GET', url: '/admin/letter-templates/constructor', headers: { accept: 'text/html' } })).statusCode, 404);
});

test('only an administrator may see or change letter templates', async () => {
  const wording = { subject: 'Start', body: LETTER_TEMPLATES.start.body };
  for (const username of ['trust-nurse', 'trust-prescriber', 'cancer-manager', 'provider-coordinator', 'commissioner', 'network-lead']) {
    const s = username === 'trust-nurse' ? nurse : username === 'provider-coordinator' ? coordinator : await signIn(w.app, username);
    assert.equal((await s.request({ method: 'GET', url: '/api/v1/admin/letter-templates' })).statusCode, 403, username);
    assert.equal((await s.request({ method: 'PUT', url: '/api/v1/admin/letter-templates/start', payload: wording })).statusCode, 403, username);
    assert.equal((await s.request({ method: 'GET', url: '/admin/letter-templates/start', headers: { accept: 'text/html' } })).statusCode, 403, username);
  }
  assert.equal((await w.app.inject({ method: 'GET', url: '/api/v1/admin/letter-templates' })).statusCode, 401);
  assert.equal((await templateOf('start')).version, 0);
});

test('a letter for a patient with no GP practice recorded says so where the address goes', async () => {
  const episodeId = await atHome('Noah', 'Unregistered', {});
  const list = (await nurse.request({ method: 'GET', url: `/api/v1/episodes/${episodeId}/letters` })).json() as { letters: { kind: string; href: string; templateVersion: string }[] };
  const start = list.letters.find((l) => l.kind === 'start')!;
  assert.equal(start.templateVersion, 'GP-START-1');
  const text = pdfText((await nurse.request({ method: 'GET', url: start.href })).rawPayload);
  assert.match(text, /To: The patient’s GP \(practice not recorded\)/);
  assert.match(text, /Noah Unregistered has chosen to receive/);
  const stored = (await scalar<string>(w.database.db, sql`select body_text from gp_letters where episode_id = ${episodeId}`)) ?? '';
  assert.match(stored, /^To: The patient’s GP \(practice not recorded\)\n\d{1,2} \w+ 2026\n\nStart of home treatment\n\nDear Doctor,/, 'the stored text is the letter as sent');
});
