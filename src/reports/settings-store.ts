/**
 * Where the report's settings come from. For now the defaults of settings.ts (the pilot's CQUIN and the spec's unit
 * costs); saved versions per period are the next step (see docs/reporting.md).
 */
import type { Tx } from '../platform/db/client.ts';
import { DEFAULT_SETTINGS, type ReportSettings } from './settings.ts';

/** The settings in force. */
export async function currentSettings(_tx: Tx): Promise<ReportSettings> {
  return structuredClone(DEFAULT_SETTINGS);
}
