/**
 * The cardiac dose gate (spec §3.7; hazard H02: a dose given while suspended or with monitoring overdue). Asked twice
 * for every dose: when the Trust releases it to the provider and when the nurse records it as given, each time for the
 * date of the dose, so a status that lapses between release and the visit still stops the dose.
 */
import type { CardiacBlock } from './lvef-rules.ts';
import type { MonitoringStatus } from './lvef-schedule.ts';

export interface ClinicianOverride {
  name: string;
  reason: string;
}

/** Problems with an override, keyed by field; empty when it is complete. */
export function overrideProblems(o: ClinicianOverride): Record<string, string> {
  const p: Record<string, string> = {};
  if (!o.name.trim()) p.overrideName = 'Enter the name of the clinician making the override';
  if (!o.reason.trim()) p.overrideReason = 'Enter the reason for the override';
  else if (o.reason.trim().length > 1000) p.overrideReason = 'The reason must be 1,000 characters or fewer';
  return p;
}

export interface GateInput {
  action: 'release' | 'administer';
  /** Blocks from `baselineBlocks` for the first cycle; later cycles pass the start's blocks only if it was never allowed. */
  baseline: readonly CardiacBlock[];
  /** `lvefMonitoringStatus` for the dose date. */
  monitoring: MonitoringStatus;
  /** A cardiac suspension is active (no clinician resume order since). */
  suspended: boolean;
  /** LVEF results recorded but not yet assessed by a clinician, or awaiting review for heart failure. */
  awaitingAssessment: number;
  override?: ClinicianOverride | null;
}

export interface GateResult {
  allowed: boolean;
  /** What stops the dose, in plain words. */
  blocking: string[];
  /** Blocks a valid override lifted; the service records them with the override. */
  overridden: string[];
  warnings: string[];
  /** Problems with the override itself, when one was given but is incomplete. */
  problems: Record<string, string>;
}

/**
 * May the dose be released / recorded as given? A named prescriber's override with a reason lifts a low baseline, a
 * contraindication, overdue monitoring, a suspension or an unassessed result for this one dose (the rule:
 * "unless a named prescriber records an override with a reason"); the service audits it and shows it to the nurse.
 * Nothing lifts a missing baseline: no override can stand in for a measurement that was never made (§3.7 row 1).
 */
export function doseGate(input: GateInput): GateResult {
  const blocks: CardiacBlock[] = [...input.baseline];
  const m = input.monitoring;
  // Before cycle 1 a missing baseline already says "no LVEF on record"; do not say it twice.
  const saidAlready = m.state === 'no-assessment' && blocks.some((b) => b.code === 'NO_BASELINE');
  if (m.blocksRelease && !saidAlready) blocks.push({ code: 'MONITORING_OVERDUE', overridable: true, message: m.message });
  if (input.suspended) blocks.push({ code: 'SUSPENDED', overridable: true, message: 'Treatment is suspended for cardiac reasons: do not give. A clinician must record a decision to resume' });
  if (input.awaitingAssessment > 0) {
    const n = input.awaitingAssessment;
    blocks.push({ code: 'AWAITING_ASSESSMENT', overridable: true, message: `${n} LVEF ${n === 1 ? 'result is' : 'results are'} waiting for a clinician to assess` });
  }
  const problems = input.override ? overrideProblems(input.override) : {};
  const validOverride = input.override != null && Object.keys(problems).length === 0;
  const overridden = validOverride ? blocks.filter((b) => b.overridable).map((b) => b.message) : [];
  const stop = input.action === 'release' ? 'Do not release this dose' : 'Do not give this dose';
  const blocking = blocks.filter((b) => !(validOverride && b.overridable)).map((b) => `${stop}: ${b.message}`);
  const warnings = m.state === 'due' || m.state === 'due-soon' ? [m.message] : [];
  return { allowed: blocking.length === 0, blocking, overridden, warnings, problems };
}
