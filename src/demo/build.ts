import { ensureRegimenLibrary } from '../prescribing/regimen-store.ts';
import { count, eq } from 'drizzle-orm';
import { ROLE_PURPOSE } from '../access/roles.ts';
import { contextFor } from '../identity/service.ts';
import { createUser } from '../identity/admin-service.ts';
import { hashPassword } from '../identity/secrets.ts';
import { users } from '../identity/schema.ts';
import { organisations } from '../organisations/schema.ts';
import { createAgreement, createOrganisation, createUnit } from '../organisations/service.ts';
import { createPatient } from '../patients/service.ts';
import { referThroughPathway } from './population.ts';
import { londonDate, systemClock, type Clock } from '../platform/clock.ts';
import type { RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { DEMO_COMMISSIONER, DEMO_NAMES, DEMO_NETWORK, DEMO_PROVIDER, DEMO_TRUSTS, demoUsername, PROVIDER_ROLES, TRUST_ROLES } from './network.ts';
import { demoPatients } from './patients.ts';
import { buildPilotPopulation } from './population.ts';
import { buildDemoCourses, type TrustTeam } from './prescribing.ts';

export interface DemoOptions {
  password: string;
  clock?: Clock;
  log?: (message: string) => void;
  /** Patients per Trust for small test worlds (registered, half referred, no episodes). */
  patientsPerTrust?: number;
  /** 'pilot' builds the full demo population with episodes (what `npm start` shows). */
  population?: 'pilot' | 'minimal';
}

/** Builds the demo network on an empty database; does nothing if any organisation exists. */
export async function buildDemoIfEmpty(db: Db, opts: DemoOptions): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(organisations);
  if ((row?.n ?? 0) > 0) return false;
  await buildDemo(db, opts);
  return true;
}

/**
 * Builds the demo through the same services the application uses (so it is audited and validated like real use).
 * Only the first administrator is inserted directly: someone has to exist to act.
 */
export async function buildDemo(db: Db, opts: DemoOptions): Promise<void> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? (() => undefined);
  const steps = 6;
  const step = (n: number, text: string) => log(`Building demo data [${n}/${steps}] ${text}`);
  await ensureRegimenLibrary(db, clock.now());

  step(1, 'cancer network and administrator');
  const [network] = await db.insert(organisations).values({ kind: 'network', ...DEMO_NETWORK }).returning();
  const [adminUser] = await db
    .insert(users)
    .values({ username: 'admin', displayName: DEMO_NAMES.admin, passwordHash: await hashPassword(opts.password), orgId: network!.id, role: 'admin' })
    .returning();
  const admin = (await contextFor(db, adminUser!, clock.now(), null))!;
  const adminCtx: RequestContext = { ...admin, purpose: ROLE_PURPOSE.admin, now: clock.now() };

  step(2, 'Trusts, units, provider and commissioner');
  const trusts = [];
  for (const t of DEMO_TRUSTS) {
    const org = await createOrganisation(db, adminCtx, { kind: 'trust', odsCode: t.odsCode, name: t.name });
    const units = [];
    for (const u of t.units) units.push(await createUnit(db, adminCtx, { trustId: org.id, code: u.code, name: u.name }));
    trusts.push({ key: t.key, org, units });
  }
  const provider = await createOrganisation(db, adminCtx, { kind: 'provider', ...DEMO_PROVIDER });
  const commissioner = await createOrganisation(db, adminCtx, { kind: 'commissioner', ...DEMO_COMMISSIONER });

  step(3, 'data-sharing agreements');
  const today = londonDate(clock.now());
  const startsOn = `${Number(today.slice(0, 4)) - 1}${today.slice(4, 7)}-01`;
  for (const t of trusts) {
    await createAgreement(db, adminCtx, { trustId: t.org.id, providerId: provider.id, reference: `DSA-${t.org.odsCode}-${DEMO_PROVIDER.odsCode}`, startsOn, endsOn: null });
  }

  step(4, 'staff accounts (one per role)');
  const make = (username: string, role: (typeof TRUST_ROLES)[number], orgId: string) =>
    createUser(db, adminCtx, { username, displayName: DEMO_NAMES[role], password: opts.password, orgId, role, unitIds: [] });
  const trustNurses = new Map<string, RequestContext>();
  const teams = new Map<string, TrustTeam>();
  for (const t of trusts) {
    const team: Partial<TrustTeam> = {};
    for (const role of TRUST_ROLES) {
      const { user } = await make(demoUsername(role, t.key), role, t.org.id);
      const ctx = { ...(await contextFor(db, user, clock.now(), null))!, now: clock.now() };
      if (role === 'trust-nurse') trustNurses.set(t.key, ctx);
      if (role === 'trust-nurse' || role === 'trust-prescriber' || role === 'trust-pharmacist') team[role === 'trust-nurse' ? 'nurse' : role === 'trust-prescriber' ? 'prescriber' : 'pharmacist'] = ctx;
    }
    teams.set(t.key, team as TrustTeam);
  }
  for (const role of PROVIDER_ROLES) await make(role, role, provider.id);
  await make('commissioner', 'commissioner', commissioner.id);
  await make('network-lead', 'network-lead', network!.id);

  if (opts.population === 'pilot') {
    step(5, 'the pilot population: patients and their home-pathway episodes over the last 9 months');
    const [coordinatorUser] = await db.select().from(users).where(eq(users.username, 'provider-coordinator'));
    const coordinator = { ...(await contextFor(db, coordinatorUser!, clock.now(), null))!, now: clock.now() };
    const sizes = { a: 28, b: 24, c: 18 } as const;
    const population = await buildPilotPopulation(db, {
      trusts: trusts.map((t) => ({ key: t.key, nurse: trustNurses.get(t.key)!, units: t.units, patients: sizes[t.key] })),
      coordinator,
      providerId: provider.id,
      now: clock.now(),
      log,
    });
    step(6, 'treatment courses, hospital doses and the first home prescriptions');
    await buildDemoCourses(db, { home: population.atHome, teams, now: clock.now(), log });
    log('Demo data ready.');
    return;
  }
  const perTrust = opts.patientsPerTrust ?? 8;
  step(5, `patients (${perTrust * trusts.length})`);
  const referred: { ctx: RequestContext; patientId: string }[] = [];
  let i = 0;
  for (const t of trusts) {
    const ctx = trustNurses.get(t.key)!;
    for (const p of demoPatients(t.key, perTrust)) {
      const unit = t.units[i++ % t.units.length]!;
      const created = await createPatient(db, ctx, { ...p, unitId: unit.id });
      if (referred.length < 100 && i % 2 === 0) referred.push({ ctx, patientId: created.id });
    }
  }

  step(6, `referrals to ${DEMO_PROVIDER.name} (${referred.length})`);
  for (const r of referred) await referThroughPathway(db, r.ctx, r.patientId, provider.id);
  log('Demo data ready.');
}

/** The demo admin user id, for scripts. */
export async function demoAdminId(db: Db): Promise<string | undefined> {
  const [u] = await db.select({ id: users.id }).from(users).where(eq(users.username, 'admin'));
  return u?.id;
}
