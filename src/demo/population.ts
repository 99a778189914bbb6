import type { RequestContext } from '../platform/context.ts';
import type { Db } from '../platform/db/client.ts';
import { createPatient } from '../patients/service.ts';
import { applyEpisodeEvent, createEpisode, type ProviderEvent } from '../pathway/episodes.ts';
import type { DeclineReason, ReturnReason } from '../pathway/episode-rules.ts';
import type { EpisodeEventData } from '../pathway/validation.ts';
import { demoPatients } from './patients.ts';
import { allYes } from '../pathway/suitability.ts';
import { BUILT_IN_CONSENT_FORMS } from '../pathway/consent-forms.ts';
import { londonDate } from '../platform/clock.ts';

const DAY = 24 * 3600 * 1000;

/** The mix of reasons for declining, weighted after the themes of spec §4.3. */
const DECLINES: DeclineReason[] = [
  'PREFERS_HOSPITAL_SUPPORT', 'PREFERS_HOSPITAL_SUPPORT', 'WANTS_CONTACT_WITH_OTHER_PATIENTS', 'SAFETY_CONCERN_AT_HOME',
  'COMBINED_WITH_IV_CHEMO_IN_HOSPITAL', 'HOME_PRIVACY_OR_FAMILY', 'PREFERS_HOSPITAL_SUPPORT', 'HOME_ENVIRONMENT_UNSUITABLE', 'OUT_OF_AREA',
];
const RETURNS: ReturnReason[] = ['PATIENT_CHOICE', 'REACTION'];

export interface PilotTrust {
  key: 'a' | 'b' | 'c';
  nurse: RequestContext;
  units: { id: string }[];
  patients: number;
}

/**
 * The pilot's population, built through the pathway services with each step dated in the past: ~70 patients over
 * the last 9 months across the 5 units, all suitable patients offered, about 61% choosing home, a realistic mix of
 * reasons for declining, and 2 returned to hospital. Deterministic, so every demo looks the same.
 */
export async function buildPilotPopulation(db: Db, opts: { trusts: PilotTrust[]; coordinator: RequestContext; providerId: string; now: Date; log: (m: string) => void }) {
  let seed = 20100401;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const totals = { patients: 0, suitable: 0, home: 0, declined: 0, undecided: 0, returned: 0 };
  const atHome: { trustKey: string; episodeId: string; since: number }[] = [];
  let k = 0;
  let returnsLeft = RETURNS.length;
  for (const t of opts.trusts) {
    for (const p of demoPatients(`${t.key}pilot`, t.patients)) {
      const unit = t.units[k % t.units.length]!;
      // Identified at an even spread over the last 9 months (270 days), oldest first.
      const start = new Date(opts.now.getTime() - (270 - Math.floor((k * 263) / 70) % 270) * DAY);
      k++;
      let at = start;
      const nurse = (): RequestContext => ({ ...t.nurse, now: at });
      const later = (days: number) => (at = new Date(Math.min(at.getTime() + days * DAY, opts.now.getTime() - 60_000)));
      const patient = await createPatient(db, nurse(), { ...p, unitId: unit.id, diagnosisCode: 'C50.9', ethnicCategory: ['A', 'A', 'H', 'J', 'M', 'N', 'C', 'K'][k % 8], imdDecile: 1 + (k % 10) });
      const episode = await createEpisode(db, nurse(), patient.id, { regimen: k % 5 === 0 ? 'trastuzumab-sc-3-weekly' : 'trastuzumab-iv-3-weekly' });
      totals.patients++;
      const ev = async (data: EpisodeEventData | ProviderEvent, ctx: RequestContext = nurse()) => applyEpisodeEvent(db, ctx, episode.id, data);
      later(2);
      if (rand() < 0.08) {
        await ev({ event: 'assess', answers: { ...allYes(), PERFORMANCE_STATUS: 'no' } });
        continue;
      }
      totals.suitable++;
      await ev({ event: 'assess', answers: allYes() });
      later(5);
      await ev({ event: 'offer', offeredOn: new Date(at).toISOString().slice(0, 10), leafletVersion: 'HOME-SACT-1' });
      later(7);
      const choice = rand();
      if (choice < 0.36) {
        await ev({ event: 'decline', reasonCode: DECLINES[k % DECLINES.length]!, note: undefined });
        totals.declined++;
        continue;
      }
      if (choice < 0.41) {
        await ev({ event: 'undecided' });
        totals.undecided++;
        continue;
      }
      await ev({ event: 'accept' });
      later(1);
      await ev({
        event: 'refer',
        providerId: opts.providerId,
        schedule: 'Every 3 weeks to cycle 18',
        allergies: k % 7 === 0 ? 'Penicillin (rash)' : 'None known',
        venousAccess: k % 5 === 0 ? 'not-applicable' : 'peripheral',
        accessNotes: k % 3 === 0 ? 'Ground-floor flat; ring twice' : undefined,
        keyContacts: 'Next of kin on the Trust record',
        lvefStatus: 'In date at referral',
        prescriber: 'Dr Priya Shah',
      });
      later(2);
      await ev({ event: 'provider-accept' }, { ...opts.coordinator, now: at });
      later(3);
      await ev({ event: 'consent', homeTreatmentForm: BUILT_IN_CONSENT_FORMS['home-treatment'].version, dataSharingForm: BUILT_IN_CONSENT_FORMS['data-sharing'].version, takenOn: londonDate(at) });
      later(4);
      await ev({ event: 'start-home' });
      totals.home++;
      if (returnsLeft > 0 && k % 9 === 4) {
        later(40);
        await ev({ event: 'return-to-hospital', reasonCode: RETURNS[RETURNS.length - returnsLeft]! });
        returnsLeft--;
        totals.returned++;
      } else atHome.push({ trustKey: t.key, episodeId: episode.id, since: at.getTime() });
    }
  }
  opts.log(`  ${totals.patients} patients, ${totals.suitable} suitable and offered, ${totals.home} chose home (${Math.round((100 * totals.home) / totals.suitable)}%), ${totals.declined} declined, ${totals.undecided} undecided, ${totals.returned} returned to hospital`);
  return { ...totals, atHome: atHome.sort((a, b) => a.since - b.since) };
}

/** Takes one patient through the pathway to a referral (the only way a provider comes to see a patient). */
export async function referThroughPathway(db: Db, ctx: RequestContext, patientId: string, providerId: string) {
  const episode = await createEpisode(db, ctx, patientId, { regimen: 'trastuzumab-iv-3-weekly' });
  const steps: EpisodeEventData[] = [
    { event: 'assess', answers: allYes() },
    { event: 'offer', offeredOn: londonDate(ctx.now), leafletVersion: 'HOME-SACT-1' },
    { event: 'accept' },
    { event: 'refer', providerId, schedule: 'Every 3 weeks', allergies: 'None known', venousAccess: 'peripheral', keyContacts: 'On the Trust record', lvefStatus: 'In date', prescriber: 'Dr Priya Shah' },
  ] as EpisodeEventData[];
  for (const data of steps) await applyEpisodeEvent(db, ctx, episode.id, data);
  return episode;
}
