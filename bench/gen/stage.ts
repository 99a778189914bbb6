/**
 * The per-cycle tables — cycles, weights, prescriptions and their history, visits, checklists, doses given — are most of
 * the rows (about eleven per dose given). The generator decides everything about them and writes one compact stage row
 * per cycle and prescription (plus one per course); these statements expand each batch inside the database, where
 * producing rows costs a fraction of formatting them in JavaScript and sending them.
 */
import type { IdSource } from './ids.ts';

export interface StageIds {
  courses: IdSource;
  cycles: IdSource;
  prescriptions: IdSource;
  events: IdSource;
  weights: IdSource;
  overrides: IdSource;
  administrations: IdSource;
  visits: IdSource;
  checks: IdSource;
}

/** A Europe/London wall-clock minute of a day as a timestamptz. */
const at = (date: string, minute: string) => `((${date} + (${minute}) * interval '1 minute') AT TIME ZONE 'Europe/London')`;
/** Stage dates are whole days since 1970-01-01. */
const day = (column: string) => `(DATE '1970-01-01' + ${column})`;

export const STAGE_DDL = `
CREATE TEMP TABLE course_stage (
  course_n bigint, patient_id uuid, trust_id uuid, provider_id uuid, regimen_id uuid, weight_kg float8, height_cm float8, route text, premedication jsonb, kit bool,
  prescriber uuid, pharmacist uuid, trust_nurse uuid, provider_pharmacist uuid, nurse uuid, coordinator uuid, window_start text, window_end text,
  doses_loading jsonb, doses_maintenance jsonb, given_loading jsonb, given_maintenance jsonb, valid_days int
);
CREATE TEMP TABLE cycle_stage (
  course_n bigint, first bool, cycle_n bigint, n int, original_due int, due int, kind text, place text, status text, given_on int, hospital_only text, cycle_updated timestamptz,
  rx_n bigint, rx_home bool, reach int, rx_end text, rx_day int, deliver_day int, dose_date int, dose_kind text, infusion int, observation int, weight_n bigint, weight_factor float8,
  m_create int, m_sign int, m_verify int, m_transmit int, m_deliver int, m_start int,
  override_n bigint, override_blocks jsonb, ev_base bigint, batch text, expiry int, site text, end_reason text, admin_n bigint,
  visit_n bigint, visit_status text, visit_date int, nurse_assigned bool, visit_version int, reschedule text, booked_day int, visit_updated timestamptz,
  check_n bigint, check_minute int, give bool, full_identity bool, temperature float8, pulse int, systolic int, diastolic int, spo2 int, out_of_range jsonb, decision_reason text
);`;

const FROM = 'FROM cycle_stage s JOIN course_stage cs USING (course_n)';
const DOSES = `CASE WHEN s.dose_kind = 'maintenance' THEN cs.doses_maintenance ELSE cs.doses_loading END`;
const GIVEN = `CASE WHEN s.dose_kind = 'maintenance' THEN cs.given_maintenance ELSE cs.given_loading END`;
/** The minute the dose was recorded: after the infusion (and at home the observation period); "not given" 20 minutes in. */
const DONE_MINUTE = `CASE WHEN s.rx_end = 'not-given' THEN s.m_start + 20 ELSE s.m_start + s.infusion + CASE WHEN s.rx_home THEN s.observation ELSE 0 END END`;
const LAST_STEP = `CASE s.reach WHEN 1 THEN ${at(day('s.rx_day'), 's.m_create')} WHEN 2 THEN ${at(day('s.rx_day'), 's.m_sign')} WHEN 3 THEN ${at(day('s.rx_day'), 's.m_verify')} WHEN 4 THEN ${at(day('s.rx_day'), 's.m_transmit')} ELSE ${at(day('s.deliver_day'), 's.m_deliver')} END`;
const SYMPTOMS = `'{"FEVER_OR_INFECTION":false,"BREATHLESSNESS":false,"CHEST_PAIN_OR_PALPITATIONS":false,"ANKLE_SWELLING":false,"REACTION_LAST_DOSE":false,"OTHER_NEW_SYMPTOM":false}'::jsonb`;

export interface Expansion {
  table: string;
  sql: string;
}

/** The statements, in the order foreign keys need: all but the doses given before the late tables, the doses after. */
export function expansions(ids: StageIds): { before: Expansion[]; after: Expansion[] } {
  const COURSE = ids.courses.sql('s.course_n');
  const CYCLE = ids.cycles.sql('s.cycle_n');
  const RX = ids.prescriptions.sql('s.rx_n');
  const VISIT = ids.visits.sql('s.visit_n');
  const OVERRIDE = `CASE WHEN s.override_n IS NOT NULL THEN ${ids.overrides.sql('s.override_n')} END`;
  return {
    before: [
      {
        table: 'cycles',
        sql: `INSERT INTO cycles (id, course_id, patient_id, trust_id, cycle_number, original_due_date, due_date, kind, place, status, given_on, hospital_only_reason, updated_at)
          SELECT ${CYCLE}, ${COURSE}, cs.patient_id, cs.trust_id, s.n, ${day('s.original_due')}, ${day('s.due')}, s.kind, s.place, s.status, ${day('s.given_on')}, s.hospital_only, s.cycle_updated ${FROM} WHERE s.first`,
      },
      {
        table: 'weights',
        sql: `INSERT INTO weights (id, patient_id, trust_id, weight_kg, height_cm, measured_on, recorded_by, recorded_at)
          SELECT ${ids.weights.sql('s.weight_n')}, cs.patient_id, cs.trust_id, round((cs.weight_kg * s.weight_factor)::numeric, 1), CASE WHEN s.n = 1 THEN cs.height_cm END, ${day('s.rx_day')}, cs.trust_nurse, ${at(day('s.rx_day'), '510')}
          ${FROM} WHERE s.rx_n IS NOT NULL`,
      },
      {
        table: 'prescriptions',
        sql: `INSERT INTO prescriptions (id, course_id, cycle_id, patient_id, trust_id, provider_id, regimen_id, cycle_number, dose_kind, dose_date, valid_from, valid_to, weight_kg, weight_measured_on,
            height_cm, bsa_m2, doses, route, infusion_minutes, observation_minutes, premedication, anaphylaxis_kit, state, held_from, signed_by, signed_at, verified_by, verified_at, released_by,
            released_at, delivery, delivered_by, delivered_at, end_reason, version, created_by, created_at, updated_at)
          SELECT ${RX}, ${COURSE}, ${CYCLE}, cs.patient_id, cs.trust_id, CASE WHEN s.rx_home THEN cs.provider_id END, cs.regimen_id, s.n, s.dose_kind, ${day('s.dose_date')}, ${day('s.dose_date')},
            ${day('s.dose_date')} + cs.valid_days, cs.weight_kg, ${day('s.rx_day')}, CASE WHEN s.n = 1 THEN cs.height_cm END, NULL, ${DOSES}, cs.route, s.infusion, s.observation, cs.premedication, cs.kit,
            coalesce(s.rx_end, (ARRAY['draft', 'signed', 'verified', 'transmitted', 'delivered'])[s.reach]), NULL,
            CASE WHEN s.reach >= 2 THEN cs.prescriber END, CASE WHEN s.reach >= 2 THEN ${at(day('s.rx_day'), 's.m_sign')} END,
            CASE WHEN s.reach >= 3 THEN cs.pharmacist END, CASE WHEN s.reach >= 3 THEN ${at(day('s.rx_day'), 's.m_verify')} END,
            CASE WHEN s.reach >= 4 THEN cs.pharmacist END, CASE WHEN s.reach >= 4 THEN ${at(day('s.rx_day'), 's.m_transmit')} END,
            CASE WHEN s.reach >= 5 THEN jsonb_build_object('batch', s.batch, 'expiry', ${day('s.expiry')}::text, 'coldChainConfirmed', true, 'deliveredOn', ${day('s.deliver_day')}::text) END,
            CASE WHEN s.reach >= 5 THEN cs.provider_pharmacist END, CASE WHEN s.reach >= 5 THEN ${at(day('s.deliver_day'), 's.m_deliver')} END,
            s.end_reason, s.reach + CASE WHEN s.rx_end IS NULL THEN 0 ELSE 1 END, cs.prescriber, ${at(day('s.rx_day'), 's.m_create')},
            CASE WHEN s.rx_end IS NULL THEN ${LAST_STEP} ELSE ${at(day('s.dose_date'), DONE_MINUTE)} END
          ${FROM} WHERE s.rx_n IS NOT NULL`,
      },
      {
        table: 'prescription_events',
        // Each prescription's history: the steps it reached (1–5), then how it ended. Its version numbers the rows.
        sql: `INSERT INTO prescription_events (id, prescription_id, patient_id, trust_id, event, from_state, to_state, version, reason, data, by_user_id, by_org_id, at)
          SELECT ${ids.events.sql('s.ev_base + e.k - 1')}, ${RX}, cs.patient_id, cs.trust_id, e.event, e.from_state, e.to_state, e.k, e.reason, e.data, e.by_user, e.by_org, e.at
          ${FROM} CROSS JOIN LATERAL (VALUES
            (false, 1, 'create', NULL, 'draft', NULL, jsonb_build_object('doses', ${DOSES}, 'weightKg', cs.weight_kg), cs.prescriber, cs.trust_id, ${at(day('s.rx_day'), 's.m_create')}),
            (false, 2, 'sign', 'draft', 'signed', NULL, NULL, cs.prescriber, cs.trust_id, ${at(day('s.rx_day'), 's.m_sign')}),
            (false, 3, 'verify', 'signed', 'verified', NULL, NULL, cs.pharmacist, cs.trust_id, ${at(day('s.rx_day'), 's.m_verify')}),
            (false, 4, 'transmit', 'verified', 'transmitted', NULL, NULL, cs.pharmacist, cs.trust_id, ${at(day('s.rx_day'), 's.m_transmit')}),
            (false, 5, 'deliver', 'transmitted', 'delivered', NULL, NULL, cs.provider_pharmacist, cs.provider_id, ${at(day('s.deliver_day'), 's.m_deliver')}),
            (true, s.reach + 1,
              CASE WHEN s.rx_end = 'not-given' THEN 'not-given' WHEN s.rx_home THEN 'administer' ELSE 'administer-in-hospital' END,
              CASE WHEN s.rx_home THEN 'delivered' ELSE 'verified' END, s.rx_end, s.end_reason,
              CASE WHEN s.rx_end = 'administered' THEN jsonb_build_object('givenOn', ${day('s.dose_date')}::text, 'doses', ${GIVEN})
                || CASE WHEN s.override_n IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('overrideId', ${OVERRIDE}, 'overridden', s.override_blocks) END END,
              CASE WHEN s.rx_home THEN cs.nurse ELSE cs.trust_nurse END, CASE WHEN s.rx_home THEN cs.provider_id ELSE cs.trust_id END, ${at(day('s.dose_date'), DONE_MINUTE)})
          ) AS e(final, k, event, from_state, to_state, reason, data, by_user, by_org, at)
          WHERE s.rx_n IS NOT NULL AND (CASE WHEN e.final THEN s.rx_end IS NOT NULL ELSE e.k <= s.reach END)`,
      },
      {
        table: 'visits',
        sql: `INSERT INTO visits (id, cycle_id, patient_id, trust_id, provider_id, nurse_id, visit_date, window_start, window_end, status, reschedule_reason, version, created_by, created_at, updated_at)
          SELECT ${VISIT}, ${CYCLE}, cs.patient_id, cs.trust_id, cs.provider_id, CASE WHEN s.nurse_assigned THEN cs.nurse END, ${day('s.visit_date')}, cs.window_start, cs.window_end, s.visit_status,
            s.reschedule, s.visit_version, cs.coordinator, ${at(day('s.booked_day'), '660')}, s.visit_updated
          ${FROM} WHERE s.visit_n IS NOT NULL`,
      },
      {
        table: 'visit_checks',
        sql: `INSERT INTO visit_checks (id, visit_id, patient_id, trust_id, identifiers, consent_valid, observations, symptoms, out_of_range, decision, decision_reason, recorded_by, recorded_at)
          SELECT ${ids.checks.sql('s.check_n')}, ${VISIT}, cs.patient_id, cs.trust_id,
            CASE WHEN s.full_identity THEN '["NAME","DATE_OF_BIRTH","NHS_NUMBER"]'::jsonb ELSE '["NAME","DATE_OF_BIRTH"]'::jsonb END, true, jsonb_build_object('temperatureC', s.temperature, 'pulse', s.pulse, 'systolic', s.systolic, 'diastolic', s.diastolic, 'spo2', s.spo2), ${SYMPTOMS}, s.out_of_range,
            CASE WHEN s.give THEN 'give' ELSE 'do-not-give' END, s.decision_reason, cs.nurse, ${at(day('s.visit_date'), 's.check_minute')}
          ${FROM} WHERE s.check_n IS NOT NULL`,
      },
    ],
    after: [
      {
        table: 'administrations',
        sql: `INSERT INTO administrations (id, prescription_id, cycle_id, patient_id, trust_id, by_org_id, place, given_on, doses, override_id, visit_id, route, site, started_at, ended_at, batch,
            expiry, observation_completed, idempotency_key, version, recorded_by, recorded_at)
          SELECT ${ids.administrations.sql('s.admin_n')}, ${RX}, ${CYCLE}, cs.patient_id, cs.trust_id, CASE WHEN s.rx_home THEN cs.provider_id ELSE cs.trust_id END, CASE WHEN s.rx_home THEN 'home' ELSE 'hospital' END,
            ${day('s.dose_date')}, ${GIVEN}, ${OVERRIDE},
            CASE WHEN s.rx_home THEN ${VISIT} END, CASE WHEN s.rx_home THEN cs.route END, CASE WHEN s.rx_home THEN s.site END,
            CASE WHEN s.rx_home THEN ${at(day('s.dose_date'), 's.m_start')} END, CASE WHEN s.rx_home THEN ${at(day('s.dose_date'), 's.m_start + s.infusion')} END,
            CASE WHEN s.rx_home THEN s.batch END, CASE WHEN s.rx_home THEN ${day('s.expiry')} END, CASE WHEN s.rx_home THEN true END, CASE WHEN s.rx_home THEN 'dose-' || ${VISIT} END,
            1, CASE WHEN s.rx_home THEN cs.nurse ELSE cs.trust_nurse END, ${at(day('s.dose_date'), DONE_MINUTE)}
          ${FROM} WHERE s.admin_n IS NOT NULL`,
      },
    ],
  };
}
