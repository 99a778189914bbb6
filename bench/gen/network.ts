/**
 * The organisations and people of a benchmark network: the cancer network, a commissioner, the home-care providers
 * (each with a data-sharing agreement with every Trust), the Trusts and their chemotherapy units, the regimen library,
 * and the named accounts the benchmark signs in as. Every account shares one password hash, computed once.
 */
import type { Role } from '../../src/access/roles.ts';
import { REGIMEN_LIBRARY } from '../../src/prescribing/regimen-library.ts';
import type { RegimenDefinition } from '../../src/prescribing/regimen.ts';
import { iso, ts } from './dates.ts';
import type { IdSource } from './ids.ts';
import { json } from './loader.ts';
import { PLACES, PROVIDERS, ROLE_NAMES, TRUST_SUFFIXES, UNIT_KINDS } from './names.ts';
import { Rng } from './random.ts';
import type { Tables } from './tables.ts';

export interface Layout {
  /** Relative size of each Trust (patients are shared out in proportion). */
  trustWeights: number[];
  /** Units of each Trust, with their relative sizes. */
  unitWeights: number[][];
  providers: number;
}

/** Sizes and shapes, fixed by the seed: Trusts differ in size, as they do. */
export function layoutFor(trusts: number, units: number, seed: number): Layout {
  const rng = new Rng(seed ^ 0x5eed);
  const trustWeights = Array.from({ length: trusts }, () => 0.5 + rng.next() * 1.3);
  const unitWeights = Array.from({ length: trusts }, (_, t) => {
    const n = Math.floor(units / trusts) + (t < units % trusts ? 1 : 0);
    return Array.from({ length: Math.max(1, n) }, (_, u) => (u === 0 ? 2 : 0.6 + rng.next()));
  });
  const providers = Math.min(PROVIDERS.length, Math.max(1, Math.round(trusts / 8)));
  return { trustWeights, unitWeights, providers };
}

/** Maps two uniform draws to a Trust and one of its units, in proportion to their sizes. */
export function trustPicker(layout: Layout): (u: number, v: number) => { trust: number; unit: number } {
  const cum = (w: number[]) => {
    const total = w.reduce((a, b) => a + b, 0);
    let acc = 0;
    return w.map((x) => (acc += x / total));
  };
  const trusts = cum(layout.trustWeights);
  const units = layout.unitWeights.map(cum);
  const find = (c: number[], u: number) => {
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < c[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  return (u, v) => {
    const trust = find(trusts, u);
    return { trust, unit: find(units[trust]!, v) };
  };
}

export interface TrustInfo {
  id: string;
  name: string;
  odsCode: string;
  place: string;
  units: { id: string; name: string; code: string }[];
  /** The provider its patients are referred to. */
  provider: number;
  nurse: string;
  prescriber: string;
  prescriberName: string;
  pharmacist: string;
  manager: string;
}

export interface ProviderInfo {
  id: string;
  name: string;
  coordinator: string;
  pharmacist: string;
  nurses: string[];
}

export interface Network {
  networkId: string;
  commissionerId: string;
  admin: string;
  trusts: TrustInfo[];
  providers: ProviderInfo[];
  regimens: Record<string, { id: string; def: RegimenDefinition }>;
  usernames: Record<string, string[]>;
}

export interface NetworkIds {
  organisations: IdSource;
  units: IdSource;
  agreements: IdSource;
  users: IdSource;
  regimens: IdSource;
}

/**
 * Writes the network's rows. `since` is the day the organisations and accounts were set up (before the data's first
 * month); `nursesPerProvider` comes from the caseload the plan gives each provider.
 */
export function buildNetwork(t: Tables, ids: NetworkIds, layout: Layout, opts: { since: number; passwordHash: string; nursesPerProvider: number[] }): Network {
  const at = ts(opts.since, 9 * 60);
  const org = (kind: string, ods: string, name: string) => {
    const id = ids.organisations.id();
    t.organisations.add(id, kind, ods, name, true, at);
    return id;
  };
  const usernames: Record<string, string[]> = {};
  const user = (username: string, role: Role, orgId: string, displayName = ROLE_NAMES[role] ?? role) => {
    const id = ids.users.id();
    t.users.add(id, username, displayName, opts.passwordHash, orgId, role, true, at);
    (usernames[role] ??= []).push(username);
    return id;
  };

  const networkId = org('network', 'NBX1', 'Benchmark Cancer Alliance');
  const commissionerId = org('commissioner', 'QBX1', 'Benchmark Specialised Commissioning Hub');
  const admin = user('bench-admin', 'admin', networkId);
  user('bench-network-lead', 'network-lead', networkId);
  user('bench-commissioner', 'commissioner', commissionerId);

  const providers: ProviderInfo[] = [];
  for (let p = 0; p < layout.providers; p++) {
    const n = p + 1;
    const id = org('provider', `HB${n}`, PROVIDERS[p]!);
    const nurses: string[] = [];
    for (let k = 0; k < Math.max(1, opts.nursesPerProvider[p] ?? 1); k++) {
      // The first nurse of each provider has the short name the benchmark signs in with.
      nurses.push(user(k === 0 ? `bench-provider-nurse-${n}` : `bench-provider-nurse-${n}-${k + 1}`, 'provider-nurse', id, `${ROLE_NAMES['provider-nurse']} ${n}.${k + 1}`));
    }
    providers.push({
      id,
      name: PROVIDERS[p]!,
      nurses,
      coordinator: user(`bench-provider-coordinator-${n}`, 'provider-coordinator', id, `${ROLE_NAMES['provider-coordinator']} ${n}`),
      pharmacist: user(`bench-provider-pharmacist-${n}`, 'provider-pharmacist', id, `${ROLE_NAMES['provider-pharmacist']} ${n}`),
    });
  }

  const trusts: TrustInfo[] = [];
  layout.unitWeights.forEach((unitWeights, i) => {
    const n = i + 1;
    const place = PLACES[i % PLACES.length]!;
    const name = `${place} ${TRUST_SUFFIXES[Math.floor(i / PLACES.length) % TRUST_SUFFIXES.length]!}${i >= PLACES.length * TRUST_SUFFIXES.length ? ` ${Math.floor(i / (PLACES.length * TRUST_SUFFIXES.length)) + 1}` : ''}`;
    const odsCode = `RB${n.toString(36).toUpperCase().padStart(2, '0')}`;
    const id = org('trust', odsCode, name);
    const units = unitWeights.map((_, u) => {
      const unitId = ids.units.id();
      const code = `${odsCode}${String(u + 1).padStart(2, '0')}`;
      const unitPlace = u === 0 ? place : PLACES[(i * 7 + u * 13) % PLACES.length]!;
      const unitName = `${unitPlace} ${UNIT_KINDS[(i + u) % UNIT_KINDS.length]!}`;
      t.units.add(unitId, id, code, unitName, true);
      return { id: unitId, name: unitName, code };
    });
    const prescriberName = `Dr Prescriber ${n}`;
    trusts.push({
      id,
      name,
      odsCode,
      place,
      units,
      provider: i % layout.providers,
      manager: user(`bench-cancer-manager-${n}`, 'cancer-manager', id, `${ROLE_NAMES['cancer-manager']} ${n}`),
      nurse: user(`bench-trust-nurse-${n}`, 'trust-nurse', id, `${ROLE_NAMES['trust-nurse']} ${n}`),
      pharmacist: user(`bench-pharmacist-${n}`, 'trust-pharmacist', id, `${ROLE_NAMES['trust-pharmacist']} ${n}`),
      prescriber: user(`bench-prescriber-${n}`, 'trust-prescriber', id, prescriberName),
      prescriberName,
    });
  });

  for (const trust of trusts) {
    for (const [p, provider] of providers.entries()) {
      t.agreements.add(ids.agreements.id(), trust.id, provider.id, `DSA-${trust.odsCode}-HB${p + 1}`, iso(opts.since), null, null, null, at);
    }
  }

  const regimens: Network['regimens'] = {};
  for (const def of Object.values(REGIMEN_LIBRARY)) {
    const id = ids.regimens.id();
    t.regimens.add(id, def.code, def.version, def.name, 'published', json(def), null, at, null, at);
    regimens[def.code] = { id, def };
  }
  return { networkId, commissionerId, admin, trusts, providers, regimens, usernames };
}
