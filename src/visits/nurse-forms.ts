/**
 * The nurse's forms as the browser sends them (strings, ticked boxes as "yes", local times) turned into the visit
 * service's inputs, and the service's or zod's field messages turned into the NHS error summary. Each input's id on
 * the page is `<form>-<field>`, so the five forms on one page never clash.
 */
import { AppError, statusFor } from '../platform/errors.ts';
import { isIsoDate } from '../prescribing/dates.ts';
import type { FormErrors } from '../web/forms.ts';
import { administrationProblems, checkProblems, reactionProblems, SYMPTOM_QUESTIONS, type CheckInput } from './rules.ts';

export type Body = Record<string, unknown>;
export type PageErrors = FormErrors & { failed: string };

const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const opt = (v: unknown): string | undefined => (str(v).trim() === '' ? undefined : str(v).trim());
/** A checkbox group: nothing, one value (a string) or several (an array). */
export const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? [v] : []);
/** A number typed on a phone: blank is "not given"; a decimal comma is read as a point. */
const num = (v: unknown): number | undefined => (opt(v) === undefined ? undefined : Number(str(v).trim().replace(',', '.')));
const ticked = (v: unknown): boolean => list(v).includes('yes');

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const LONDON = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** How far Europe/London is ahead of UTC at instant `t` (ms): 0 in winter, an hour in summer. */
function londonOffset(t: number): number {
  const p = Object.fromEntries(LONDON.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(t / 1000) * 1000;
}

/** A date and 24-hour time on a clock in Europe/London → the instant (ISO, UTC), or undefined when not real. */
export function londonInstant(date: string, time: string): string | undefined {
  const hhmm = time.padStart(5, '0');
  if (!isIsoDate(date) || !TIME.test(hhmm)) return undefined;
  const wall = Date.parse(`${date}T${hhmm}:00Z`);
  let t = wall;
  for (let i = 0; i < 2; i++) t = wall - londonOffset(t);
  return new Date(t).toISOString();
}

/** The time of an instant on a clock in Europe/London, "HH:MM". */
export function londonTime(d: Date): string {
  return new Date(d.getTime() + londonOffset(d.getTime())).toISOString().slice(11, 16);
}

export const OBSERVATION_FIELDS = ['temperatureC', 'pulse', 'systolic', 'diastolic', 'spo2'] as const;

/** The checklist form → the service's input; missing answers stay missing so zod and the rules name them. */
export function checkInput(b: Body) {
  const symptoms: Record<string, boolean> = {};
  for (const code of Object.keys(SYMPTOM_QUESTIONS)) {
    const a = str(b[`symptom-${code}`]);
    if (a === 'yes' || a === 'no') symptoms[code] = a === 'yes';
  }
  return {
    idempotencyKey: opt(b.idempotencyKey),
    identifiers: list(b.identifiers),
    consentValid: ticked(b.consentValid),
    observations: Object.fromEntries(OBSERVATION_FIELDS.map((f) => [f, num(b[f])])),
    symptoms,
    decision: opt(b.decision),
    decisionReason: opt(b.decisionReason) ?? null,
  };
}

/** Everything wrong with a checklist at once: zod names the first problems, the pure rules the rest. */
export function checkRuleProblems(input: ReturnType<typeof checkInput>): Record<string, string> {
  const o = input.observations as Record<string, number | undefined>;
  const observations = Object.fromEntries(OBSERVATION_FIELDS.map((f) => [f, o[f] ?? Number.NaN])) as unknown as CheckInput['observations'];
  // Whether a reason is needed depends on the regimen's limits: the service decides that, not this first pass.
  const { decisionReason: _reason, ...problems } = checkProblems({ ...input, observations, decision: input.decision === 'do-not-give' ? 'do-not-give' : 'give' }).problems;
  return problems;
}

const UNREAD = '1970-01-01T00:00:00Z';

/** The dose form: the drugs the form listed (hidden fields) with the doses typed, times read as London time. */
export function doseInput(b: Body) {
  const pre: Record<string, string> = {};
  const date = str(b.givenOn).trim();
  const startedAt = londonInstant(date, str(b.startTime).trim());
  const endedAt = londonInstant(date, str(b.endTime).trim());
  if (!isIsoDate(date)) pre.givenOn = 'Enter the date the dose was given as a real date, for example 2026-06-01';
  else {
    if (!startedAt) pre.startTime = 'Enter the time the dose was started as a 24-hour time, for example 09:30';
    if (!endedAt) pre.endTime = 'Enter the time the dose ended as a 24-hour time, for example 10:00';
  }
  const doses: { drug: string; doseMg: number | undefined }[] = [];
  for (let i = 0; i < 10 && opt(b[`drug-${i}`]); i++) doses.push({ drug: opt(b[`drug-${i}`])!, doseMg: num(b[`dose-${i}`]) });
  const input = {
    idempotencyKey: opt(b.idempotencyKey),
    doses,
    route: str(b.route),
    site: str(b.site),
    // A time that could not be read is already a page problem (`pre`); the service is not asked until there is none.
    startedAt: startedAt ?? UNREAD,
    endedAt: endedAt ?? UNREAD,
    batch: str(b.batch),
    expiry: opt(b.expiry),
    observationCompleted: ticked(b.observationCompleted),
    anaphylaxisKitConfirmed: ticked(b.anaphylaxisKitConfirmed),
  };
  return { input, pre };
}

/**
 * The dose rules that need nothing from the record (site, batch, times in order, observation period), so they show
 * with the form's other problems; the service asks the whole rule, with the released dose and today, when it records.
 */
export function doseRuleProblems(input: ReturnType<typeof doseInput>['input']): Record<string, string> {
  const entered = input.doses.map((d) => ({ drug: d.drug, doseMg: d.doseMg ?? Number.NaN }));
  const at = (iso: string) => new Date(iso === UNREAD ? Number.NaN : iso);
  const p = administrationProblems(
    { ...input, doses: entered, startedAt: at(input.startedAt), endedAt: at(input.endedAt), expiry: input.expiry ?? '' },
    { prescribed: entered, route: input.route, today: '', now: new Date(8.64e15) },
  );
  delete p.doses;
  return p;
}

export const notGivenInput = (b: Body) => ({ idempotencyKey: opt(b.idempotencyKey), reasonCode: opt(b.reasonCode), note: opt(b.note) });

export const reactionInput = (b: Body) => ({ idempotencyKey: opt(b.idempotencyKey), grade: num(b.grade), description: str(b.description), actions: list(b.actions) });
export const reactionRuleProblems = (i: ReturnType<typeof reactionInput>) => reactionProblems({ grade: i.grade ?? Number.NaN, description: i.description, actions: i.actions });

export const incidentInput = (b: Body) => ({ idempotencyKey: opt(b.idempotencyKey), kind: opt(b.kind), severity: opt(b.severity), description: str(b.description) });
export const incidentRuleProblems = (i: ReturnType<typeof incidentInput>): Record<string, string> => (i.description.trim() ? {} : { description: 'Describe what happened' });

/** Each form's fields on the page, and how a zod or service key (dots and indexes as dashes) names one of them. */
export const FORMS = {
  check: { fields: ['identifiers', 'consentValid', ...OBSERVATION_FIELDS, ...Object.keys(SYMPTOM_QUESTIONS).map((c) => `symptom-${c}`), 'decision', 'decisionReason'], alias: (k: string) => k.replace(/^observations-/, '').replace(/^symptoms-/, 'symptom-').replace(/^identifiers-\d+$/, 'identifiers') },
  dose: { fields: ['dose-0', 'dose-1', 'dose-2', 'route', 'site', 'givenOn', 'startTime', 'endTime', 'batch', 'expiry', 'observationCompleted', 'anaphylaxisKitConfirmed'], alias: (k: string) => (k === 'doses' ? 'dose-0' : k === 'startedAt' ? 'startTime' : k === 'endedAt' ? 'endTime' : k.replace(/^doses-(\d+)-doseMg$/, 'dose-$1')) },
  notGiven: { fields: ['reasonCode', 'note'], alias: (k: string) => k },
  reaction: { fields: ['grade', 'description', 'actions'], alias: (k: string) => k.replace(/^actions-\d+$/, 'actions') },
  incident: { fields: ['kind', 'severity', 'description'], alias: (k: string) => k },
} as const;
export type FormName = keyof typeof FORMS;

/**
 * Messages keyed as zod or a service keys them → errors by input id, and the summary in the form's order (unlinked
 * when there is no input to go to). Given several sets, the first set's message for a field wins.
 */
export function pageErrors(form: FormName, ...sets: Record<string, string>[]): PageErrors {
  const { fields, alias } = FORMS[form];
  const order = fields as readonly string[];
  const errors: Record<string, string> = {};
  const linked: { text: string; href: string; at: number }[] = [];
  const loose: { text: string }[] = [];
  for (const messages of sets) {
    for (const [raw, message] of Object.entries(messages)) {
      const key = alias(raw.replace(/\./g, '-'));
      const at = order.indexOf(key);
      if (at >= 0) {
        const id = `${form}-${key}`;
        if (errors[id]) continue;
        errors[id] = message;
        linked.push({ text: message, href: `#${id}`, at });
      } else if (!loose.some((e) => e.text === message) && !linked.some((e) => e.text === message)) loose.push({ text: message });
    }
  }
  const errorList = [...loose, ...linked.sort((a, b) => a.at - b.at).map(({ text, href }) => ({ text, href }))];
  return { errors, errorList: errorList as FormErrors['errorList'], failed: form };
}

/** The outcome of a recording: done, refused with messages to show, or a resubmission of one already recorded. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; already: true } | ({ ok: false; status: number; already: false } & PageErrors);

export async function tryRecording<T>(p: Promise<T>, form: FormName): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    if (!(err instanceof AppError) || (err.code !== 'validation' && err.code !== 'conflict')) throw err;
    if (err.code === 'conflict' && /already been recorded/.test(err.message)) return { ok: false, status: 409, already: true };
    const messages = err.fields && Object.keys(err.fields).length ? err.fields : { _: err.message };
    return { ok: false, status: statusFor[err.code], already: false, ...pageErrors(form, messages) };
  }
}
