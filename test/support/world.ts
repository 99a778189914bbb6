import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { eq } from 'drizzle-orm';
import { buildApp } from '../../src/web/app.ts';
import { buildDemo } from '../../src/demo/build.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/client.ts';
import { organisations } from '../../src/organisations/schema.ts';
import { patients } from '../../src/patients/schema.ts';
import { referrals } from '../../src/pathway/schema.ts';
import { users } from '../../src/identity/schema.ts';
import { openTestDatabase } from './db.ts';

export const PASSWORD = 'test-password-123';

export interface World {
  app: FastifyInstance;
  database: Database;
  clock: FakeClock;
  org: (odsCode: string) => Promise<{ id: string; name: string }>;
  /** Patients of a Trust (by ODS code), referred ones first. */
  patientsOf: (odsCode: string) => Promise<{ id: string; referred: boolean }[]>;
  userId: (username: string) => Promise<string>;
  close: () => Promise<void>;
}

/**
 * The demo network (3 Trusts, 5 units, a provider with agreements, a commissioner, the network, one user per
 * role) built through the services, on a fresh database, with a clock the test controls.
 */
export async function buildWorld(opts: { patientsPerTrust?: number } = {}): Promise<World> {
  const database = await openTestDatabase();
  const clock = new FakeClock(new Date('2026-06-01T09:00:00Z'));
  await buildDemo(database.db, { password: PASSWORD, clock, patientsPerTrust: opts.patientsPerTrust ?? 4 });
  // The per-address sign-in limit is exercised by its own test; every other test signs in freely.
  const app = await buildApp({ database, clock, version: 'test', signInRateLimit: 1_000_000 });
  await app.ready();
  const { db } = database;
  return {
    app,
    database,
    clock,
    org: async (odsCode) => (await db.select().from(organisations).where(eq(organisations.odsCode, odsCode)))[0]!,
    patientsOf: async (odsCode) => {
      const [o] = await db.select().from(organisations).where(eq(organisations.odsCode, odsCode));
      const list = await db.select({ id: patients.id }).from(patients).where(eq(patients.trustId, o!.id));
      const refs = new Set((await db.select({ p: referrals.patientId }).from(referrals)).map((r) => r.p));
      return list.map((p) => ({ id: p.id, referred: refs.has(p.id) })).sort((a, b) => Number(b.referred) - Number(a.referred));
    },
    userId: async (username) => (await db.select().from(users).where(eq(users.username, username)))[0]!.id,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

export interface Session {
  cookie: string;
  csrf: string;
  /** An in-process request carrying the session cookie and, for changes, the CSRF header. */
  request: (opts: InjectOptions) => Promise<LightMyRequestResponse>;
}

/** Signs in through the API, as a script would. */
export async function signIn(app: FastifyInstance, username: string, password = PASSWORD): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in as ${username} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'homeward_session')!.value;
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return {
    cookie,
    csrf,
    request: (opts) =>
      app.inject({
        ...opts,
        headers: { ...(opts.headers ?? {}), cookie: `homeward_session=${cookie}`, ...(opts.method && opts.method !== 'GET' ? { 'x-csrf-token': csrf } : {}) },
      }),
  };
}

/** A valid, unused test-range NHS number (999…), different on every call in a process. */
let nhsSeq = 5000;
export function nextNhsNumber(): string {
  for (;;) {
    const stem = `9998${String(nhsSeq++).padStart(5, '0')}`;
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(stem[i]) * (10 - i);
    let check = 11 - (sum % 11);
    if (check === 11) check = 0;
    if (check !== 10) return stem + String(check);
  }
}

/** A complete electronic referral form, for tests that refer a patient. */
export const REFERRAL_DETAILS = {
  schedule: 'Every 3 weeks, cycle 5 of 18',
  allergies: 'None known',
  venousAccess: 'peripheral',
  accessNotes: 'Key safe 1234; dog shut in the kitchen',
  keyContacts: 'Sam (husband) 07700 900 982',
  lvefStatus: '58% on 12 May 2026, next due 4 August 2026',
  prescriber: 'Dr Priya Shah',
} as const;

/** Suitability checklist answers: every item met. */
export const ALL_MET: Record<string, 'yes' | 'no' | 'na'> = Object.fromEntries(
  ['REGIMEN_HOME_SUITABLE', 'HOSPITAL_DOSES_GIVEN', 'NO_GRADE2_REACTION', 'LVEF_IN_DATE', 'SACT_CONSENT', 'DATA_SHARING_ACK', 'HOME_ENVIRONMENT', 'PERFORMANCE_STATUS', 'IN_SERVICE_AREA', 'VENOUS_ACCESS', 'PATIENT_AGREES'].map((c) => [c, 'yes']),
);

/** Consent on the built-in form versions, taken on the world clock's first day (episodes never start earlier). */
export const CONSENT = { event: 'consent', homeTreatmentForm: 'HOME-TX-1', dataSharingForm: 'DATA-SHARE-1', takenOn: '2026-06-01' } as const;
