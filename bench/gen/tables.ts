/**
 * The tables the generator writes, with their columns in COPY order, listed parents first: when foreign keys are
 * checked (a loading user that is not a superuser), each batch is copied in this order, so every row finds its parent.
 */
import { TableBuffer } from './loader.ts';

const COLUMNS = {
  organisations: ['id', 'kind', 'ods_code', 'name', 'active', 'created_at'],
  units: ['id', 'trust_id', 'code', 'name', 'active'],
  agreements: ['id', 'trust_id', 'provider_id', 'reference', 'starts_on', 'ends_on', 'ended_at', 'ended_reason', 'created_at'],
  users: ['id', 'username', 'display_name', 'password_hash', 'org_id', 'role', 'active', 'created_at'],
  regimens: ['id', 'code', 'version', 'name', 'status', 'definition', 'created_by', 'created_at', 'published_by', 'published_at'],
  patients: [
    'id', 'trust_id', 'unit_id', 'nhs_number', 'given_name', 'family_name', 'date_of_birth', 'postcode', 'sex', 'address_line1', 'address_line2', 'town', 'phone',
    'gp_practice_code', 'gp_practice_name', 'ethnic_category', 'imd_decile', 'diagnosis_code', 'consultant', 'version', 'created_by', 'created_at', 'updated_at',
  ],
  episodes: ['id', 'patient_id', 'trust_id', 'regimen', 'state', 'provider_id', 'version', 'created_by', 'created_at', 'updated_at'],
  episode_events: ['id', 'episode_id', 'patient_id', 'trust_id', 'event', 'from_state', 'to_state', 'version', 'reason_code', 'note', 'data', 'by_user_id', 'by_org_id', 'at'],
  referrals: ['id', 'patient_id', 'trust_id', 'provider_id', 'status', 'created_by', 'created_at'],
  consents: ['id', 'episode_id', 'patient_id', 'trust_id', 'provider_id', 'kind', 'form_version', 'taken_on', 'taken_by', 'recorded_at', 'withdrawn_at', 'withdrawn_by', 'withdrawal_note'],
  treatment_courses: ['id', 'episode_id', 'patient_id', 'trust_id', 'regimen_id', 'start_date', 'status', 'suspended_on', 'repeat_lvef_due_by', 'version', 'created_by', 'created_at', 'updated_at'],
  cycles: ['id', 'course_id', 'patient_id', 'trust_id', 'cycle_number', 'original_due_date', 'due_date', 'kind', 'place', 'status', 'given_on', 'hospital_only_reason', 'updated_at'],
  weights: ['id', 'patient_id', 'trust_id', 'weight_kg', 'height_cm', 'measured_on', 'recorded_by', 'recorded_at'],
  lvef_results: [
    'id', 'course_id', 'patient_id', 'trust_id', 'measured_on', 'method', 'percent', 'reporting_clinician', 'symptomatic_heart_failure', 'recorded_by', 'recorded_at', 'assessed_by',
    'assessed_at', 'action', 'message', 'warnings', 'assessment_note',
  ],
  prescriptions: [
    'id', 'course_id', 'cycle_id', 'patient_id', 'trust_id', 'provider_id', 'regimen_id', 'cycle_number', 'dose_kind', 'dose_date', 'valid_from', 'valid_to', 'weight_kg',
    'weight_measured_on', 'height_cm', 'bsa_m2', 'doses', 'route', 'infusion_minutes', 'observation_minutes', 'premedication', 'anaphylaxis_kit', 'state', 'held_from', 'signed_by',
    'signed_at', 'verified_by', 'verified_at', 'released_by', 'released_at', 'delivery', 'delivered_by', 'delivered_at', 'end_reason', 'version', 'created_by', 'created_at', 'updated_at',
  ],
  prescription_events: ['id', 'prescription_id', 'patient_id', 'trust_id', 'event', 'from_state', 'to_state', 'version', 'reason', 'data', 'by_user_id', 'by_org_id', 'at'],
  dose_overrides: ['id', 'prescription_id', 'patient_id', 'trust_id', 'reason', 'blocks', 'by_user_id', 'by_name', 'at'],
  deferrals: ['id', 'cycle_id', 'prescription_id', 'patient_id', 'trust_id', 'reason_code', 'note', 'original_due_date', 'from_date', 'new_date', 'days_late', 'dose_kind', 'outcome', 'by_user_id', 'at'],
  visits: ['id', 'cycle_id', 'patient_id', 'trust_id', 'provider_id', 'nurse_id', 'visit_date', 'window_start', 'window_end', 'status', 'reschedule_reason', 'version', 'created_by', 'created_at', 'updated_at'],
  visit_checks: ['id', 'visit_id', 'patient_id', 'trust_id', 'identifiers', 'consent_valid', 'observations', 'symptoms', 'out_of_range', 'decision', 'decision_reason', 'recorded_by', 'recorded_at'],
  administrations: [
    'id', 'prescription_id', 'cycle_id', 'patient_id', 'trust_id', 'by_org_id', 'place', 'given_on', 'doses', 'override_id', 'visit_id', 'route', 'site', 'started_at', 'ended_at', 'batch',
    'expiry', 'observation_completed', 'idempotency_key', 'version', 'recorded_by', 'recorded_at',
  ],
  reactions: ['id', 'visit_id', 'patient_id', 'trust_id', 'provider_id', 'grade', 'description', 'actions', 'recorded_by', 'recorded_at'],
  incidents: ['id', 'visit_id', 'patient_id', 'trust_id', 'provider_id', 'kind', 'severity', 'description', 'recorded_by', 'recorded_at'],
  trust_alerts: ['id', 'patient_id', 'trust_id', 'cycle_id', 'visit_id', 'kind', 'message', 'raised_by_org', 'raised_at', 'resolved_by', 'resolved_at', 'resolution'],
} as const;

/**
 * Stage rows the database expands into the per-cycle tables (see stage.ts): one per course, and one per cycle and
 * prescription. Generating those rows in SQL is several times faster than formatting them here.
 */
export const STAGE_COLUMNS = {
  course_stage: [
    'course_n', 'patient_id', 'trust_id', 'provider_id', 'regimen_id', 'weight_kg', 'height_cm', 'route', 'premedication', 'kit', 'prescriber', 'pharmacist', 'trust_nurse', 'provider_pharmacist',
    'nurse', 'coordinator', 'window_start', 'window_end', 'doses_loading', 'doses_maintenance', 'given_loading', 'given_maintenance', 'valid_days',
  ],
  cycle_stage: [
    'course_n', 'first', 'cycle_n', 'n', 'original_due', 'due', 'kind', 'place', 'status', 'given_on', 'hospital_only', 'cycle_updated',
    'rx_n', 'rx_home', 'reach', 'rx_end', 'rx_day', 'deliver_day', 'dose_date', 'dose_kind', 'infusion', 'observation', 'weight_n', 'weight_factor',
    'm_create', 'm_sign', 'm_verify', 'm_transmit', 'm_deliver', 'm_start',
    'override_n', 'override_blocks', 'ev_base', 'batch', 'expiry', 'site', 'end_reason', 'admin_n',
    'visit_n', 'visit_status', 'visit_date', 'nurse_assigned', 'visit_version', 'reschedule', 'booked_day', 'visit_updated',
    'check_n', 'check_minute', 'give', 'full_identity', 'temperature', 'pulse', 'systolic', 'diastolic', 'spo2', 'out_of_range', 'decision_reason',
  ],
} as const;
export type StageName = keyof typeof STAGE_COLUMNS;

export type TableName = keyof typeof COLUMNS;
export const TABLE_NAMES = Object.keys(COLUMNS) as TableName[];

/** The large tables: their secondary indexes are dropped for the load and built again at the end. */
export const BULK_TABLES: TableName[] = [
  'patients', 'episodes', 'episode_events', 'referrals', 'consents', 'treatment_courses', 'cycles', 'weights', 'lvef_results', 'prescriptions', 'prescription_events',
  'dose_overrides', 'deferrals', 'visits', 'visit_checks', 'administrations', 'reactions', 'incidents', 'trust_alerts',
];

export type Tables = { [K in TableName | StageName]: TableBuffer };

export function makeTables(): Tables {
  const all = { ...COLUMNS, ...STAGE_COLUMNS };
  return Object.fromEntries(Object.entries(all).map(([name, columns]) => [name, new TableBuffer(name, columns)])) as Tables;
}

/** Written before the stage is expanded: every parent the expanded rows point to. */
export const EARLY_TABLES: TableName[] = ['organisations', 'units', 'agreements', 'users', 'regimens', 'patients', 'episodes', 'episode_events', 'referrals', 'consents', 'treatment_courses', 'lvef_results'];
/** Written after: rows that point to a cycle, visit or prescription the stage creates. */
export const LATE_TABLES: TableName[] = ['dose_overrides', 'prescription_events', 'deferrals', 'reactions', 'incidents', 'trust_alerts'];
