-- Home visits and what is recorded at them are patient data. The owning Trust sees all of it; the provider sees and
-- writes only for patients it may see (an active referral under an active agreement), and only its own visits.
ALTER TABLE visits ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE visits FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY visits_scope ON visits
  USING (trust_id = app_org() OR (provider_id = app_org() AND app_provider_sees_patient(patient_id, trust_id)))
  WITH CHECK (trust_id = app_org() OR (provider_id = app_org() AND app_provider_sees_patient(patient_id, trust_id)));
--> statement-breakpoint
ALTER TABLE visit_checks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE visit_checks FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY visit_checks_read ON visit_checks FOR SELECT USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
CREATE POLICY visit_checks_insert ON visit_checks FOR INSERT WITH CHECK (app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
ALTER TABLE reactions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE reactions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY reactions_read ON reactions FOR SELECT USING (trust_id = app_org() OR (provider_id = app_org() AND app_provider_sees_patient(patient_id, trust_id)));
--> statement-breakpoint
CREATE POLICY reactions_insert ON reactions FOR INSERT WITH CHECK (provider_id = app_org() AND app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY incidents_read ON incidents FOR SELECT USING (trust_id = app_org() OR (provider_id = app_org() AND app_provider_sees_patient(patient_id, trust_id)));
--> statement-breakpoint
CREATE POLICY incidents_insert ON incidents FOR INSERT WITH CHECK (provider_id = app_org() AND app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
ALTER TABLE trust_alerts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE trust_alerts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY trust_alerts_read ON trust_alerts FOR SELECT USING (trust_id = app_org() OR (raised_by_org = app_org() AND app_provider_sees_patient(patient_id, trust_id)));
--> statement-breakpoint
CREATE POLICY trust_alerts_insert ON trust_alerts FOR INSERT WITH CHECK (raised_by_org = app_org() AND (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id)));
--> statement-breakpoint
CREATE POLICY trust_alerts_update ON trust_alerts FOR UPDATE USING (trust_id = app_org()) WITH CHECK (trust_id = app_org());
--> statement-breakpoint
ALTER TABLE recording_keys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE recording_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY recording_keys_scope ON recording_keys
  USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id))
  WITH CHECK (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
-- A recorded dose may be corrected by whoever recorded it (site, times, observation period), never its dose,
-- prescription, patient or date: those would be a different dose.
CREATE POLICY administrations_update ON administrations FOR UPDATE
  USING (trust_id = app_org() OR (by_org_id = app_org() AND app_provider_sees_patient(patient_id, trust_id)))
  WITH CHECK (trust_id = app_org() OR (by_org_id = app_org() AND app_provider_sees_patient(patient_id, trust_id)));
--> statement-breakpoint
CREATE FUNCTION app_administration_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.prescription_id IS DISTINCT FROM OLD.prescription_id OR NEW.patient_id IS DISTINCT FROM OLD.patient_id
     OR NEW.doses IS DISTINCT FROM OLD.doses OR NEW.given_on IS DISTINCT FROM OLD.given_on OR NEW.batch IS DISTINCT FROM OLD.batch
     OR NEW.idempotency_key IS DISTINCT FROM OLD.idempotency_key OR NEW.cycle_id IS DISTINCT FROM OLD.cycle_id THEN
    RAISE EXCEPTION 'a recorded dose, its date, batch and prescription cannot be changed' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER administrations_guard BEFORE UPDATE ON administrations FOR EACH ROW EXECUTE FUNCTION app_administration_guard();
