-- Prescribing records are patient data. The owning Trust reads and writes them; a home-care provider reads them only
-- while it may see the patient (an active referral under an active agreement), and sees a prescription only once the
-- Trust has released it to that provider.
ALTER TABLE treatment_courses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE treatment_courses FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY treatment_courses_read ON treatment_courses FOR SELECT USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
CREATE POLICY treatment_courses_write ON treatment_courses FOR INSERT WITH CHECK (trust_id = app_org());
--> statement-breakpoint
CREATE POLICY treatment_courses_update ON treatment_courses FOR UPDATE USING (trust_id = app_org()) WITH CHECK (trust_id = app_org());
--> statement-breakpoint
ALTER TABLE cycles ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE cycles FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY cycles_read ON cycles FOR SELECT USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
CREATE POLICY cycles_insert ON cycles FOR INSERT WITH CHECK (trust_id = app_org());
--> statement-breakpoint
CREATE POLICY cycles_update ON cycles FOR UPDATE USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id))
  WITH CHECK (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
ALTER TABLE weights ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE weights FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY weights_read ON weights FOR SELECT USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
CREATE POLICY weights_insert ON weights FOR INSERT WITH CHECK (trust_id = app_org());
--> statement-breakpoint
ALTER TABLE prescriptions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE prescriptions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY prescriptions_read ON prescriptions FOR SELECT USING (
  trust_id = app_org()
  OR (provider_id = app_org() AND released_at IS NOT NULL AND app_provider_sees_patient(patient_id, trust_id)));
--> statement-breakpoint
CREATE POLICY prescriptions_insert ON prescriptions FOR INSERT WITH CHECK (trust_id = app_org());
--> statement-breakpoint
CREATE POLICY prescriptions_update ON prescriptions FOR UPDATE
  USING (trust_id = app_org() OR (provider_id = app_org() AND released_at IS NOT NULL AND app_provider_sees_patient(patient_id, trust_id)))
  WITH CHECK (trust_id = app_org() OR (provider_id = app_org() AND released_at IS NOT NULL AND app_provider_sees_patient(patient_id, trust_id)));
--> statement-breakpoint
-- What was signed is what is given: once a prescription leaves draft its dose, dose type, patient and cycle never
-- change (a recalculation is a new prescription), and a provider may change only the dispensing and state columns.
CREATE FUNCTION app_prescription_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.patient_id IS DISTINCT FROM OLD.patient_id OR NEW.trust_id IS DISTINCT FROM OLD.trust_id
     OR NEW.cycle_id IS DISTINCT FROM OLD.cycle_id OR NEW.course_id IS DISTINCT FROM OLD.course_id
     OR NEW.regimen_id IS DISTINCT FROM OLD.regimen_id OR NEW.provider_id IS DISTINCT FROM OLD.provider_id THEN
    RAISE EXCEPTION 'a prescription''s patient, cycle, regimen and provider cannot change' USING ERRCODE = '42501';
  END IF;
  IF OLD.state <> 'draft' AND (NEW.doses IS DISTINCT FROM OLD.doses OR NEW.dose_kind IS DISTINCT FROM OLD.dose_kind
     OR NEW.weight_kg IS DISTINCT FROM OLD.weight_kg OR NEW.signed_by IS DISTINCT FROM OLD.signed_by AND OLD.signed_by IS NOT NULL) THEN
    RAISE EXCEPTION 'a signed prescription''s dose cannot be edited: cancel it and prescribe again' USING ERRCODE = '42501';
  END IF;
  IF app_org() IS DISTINCT FROM OLD.trust_id AND (NEW.dose_date IS DISTINCT FROM OLD.dose_date OR NEW.valid_to IS DISTINCT FROM OLD.valid_to
     OR NEW.valid_from IS DISTINCT FROM OLD.valid_from OR NEW.verified_by IS DISTINCT FROM OLD.verified_by
     OR NEW.released_at IS DISTINCT FROM OLD.released_at OR NEW.held_from IS DISTINCT FROM OLD.held_from) THEN
    RAISE EXCEPTION 'only the Trust may change a prescription''s dates or approvals' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER prescriptions_guard BEFORE UPDATE ON prescriptions FOR EACH ROW EXECUTE FUNCTION app_prescription_guard();
--> statement-breakpoint
CREATE FUNCTION app_cycle_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.original_due_date IS DISTINCT FROM OLD.original_due_date OR NEW.cycle_number IS DISTINCT FROM OLD.cycle_number
     OR NEW.course_id IS DISTINCT FROM OLD.course_id OR NEW.patient_id IS DISTINCT FROM OLD.patient_id OR NEW.trust_id IS DISTINCT FROM OLD.trust_id THEN
    RAISE EXCEPTION 'a cycle''s number and original due date never change: a deferral is recorded as an event' USING ERRCODE = '42501';
  END IF;
  IF app_org() IS DISTINCT FROM OLD.trust_id AND (NEW.due_date IS DISTINCT FROM OLD.due_date OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.place IS DISTINCT FROM OLD.place) THEN
    RAISE EXCEPTION 'only the Trust may move a cycle' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER cycles_guard BEFORE UPDATE ON cycles FOR EACH ROW EXECUTE FUNCTION app_cycle_guard();
--> statement-breakpoint
ALTER TABLE prescription_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE prescription_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY prescription_events_read ON prescription_events FOR SELECT USING (
  trust_id = app_org() OR EXISTS (SELECT 1 FROM prescriptions p WHERE p.id = prescription_id));
--> statement-breakpoint
CREATE POLICY prescription_events_insert ON prescription_events FOR INSERT WITH CHECK (
  trust_id = app_org() OR (by_org_id = app_org() AND EXISTS (SELECT 1 FROM prescriptions p WHERE p.id = prescription_id)));
--> statement-breakpoint
ALTER TABLE dose_overrides ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE dose_overrides FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY dose_overrides_read ON dose_overrides FOR SELECT USING (
  trust_id = app_org() OR EXISTS (SELECT 1 FROM prescriptions p WHERE p.id = prescription_id));
--> statement-breakpoint
CREATE POLICY dose_overrides_insert ON dose_overrides FOR INSERT WITH CHECK (trust_id = app_org());
--> statement-breakpoint
ALTER TABLE deferrals ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE deferrals FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY deferrals_read ON deferrals FOR SELECT USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
CREATE POLICY deferrals_insert ON deferrals FOR INSERT WITH CHECK (trust_id = app_org());
--> statement-breakpoint
ALTER TABLE lvef_results ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE lvef_results FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY lvef_results_read ON lvef_results FOR SELECT USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
CREATE POLICY lvef_results_insert ON lvef_results FOR INSERT WITH CHECK (trust_id = app_org());
--> statement-breakpoint
CREATE POLICY lvef_results_update ON lvef_results FOR UPDATE USING (trust_id = app_org()) WITH CHECK (trust_id = app_org());
--> statement-breakpoint
-- A result as reported never changes; only its assessment is added (once).
CREATE FUNCTION app_lvef_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.measured_on IS DISTINCT FROM OLD.measured_on OR NEW.percent IS DISTINCT FROM OLD.percent OR NEW.method IS DISTINCT FROM OLD.method
     OR NEW.reporting_clinician IS DISTINCT FROM OLD.reporting_clinician OR NEW.course_id IS DISTINCT FROM OLD.course_id
     OR NEW.patient_id IS DISTINCT FROM OLD.patient_id OR (OLD.assessed_at IS NOT NULL) THEN
    RAISE EXCEPTION 'an LVEF result and its assessment cannot be edited' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER lvef_results_guard BEFORE UPDATE ON lvef_results FOR EACH ROW EXECUTE FUNCTION app_lvef_guard();
--> statement-breakpoint
ALTER TABLE administrations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE administrations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY administrations_read ON administrations FOR SELECT USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
CREATE POLICY administrations_insert ON administrations FOR INSERT WITH CHECK (
  trust_id = app_org() OR (by_org_id = app_org() AND app_provider_sees_patient(patient_id, trust_id)));
--> statement-breakpoint
-- A published regimen version is what prescriptions were written from: its definition never changes, and a
-- version only moves draft → published → retired.
CREATE FUNCTION app_regimen_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.code IS DISTINCT FROM OLD.code OR NEW.version IS DISTINCT FROM OLD.version THEN
    RAISE EXCEPTION 'a regimen version''s code and number cannot change' USING ERRCODE = '42501';
  END IF;
  IF OLD.status <> 'draft' AND (NEW.definition IS DISTINCT FROM OLD.definition OR NEW.name IS DISTINCT FROM OLD.name) THEN
    RAISE EXCEPTION 'a published regimen version cannot be edited: create a new version' USING ERRCODE = '42501';
  END IF;
  IF OLD.status = 'retired' AND NEW.status <> 'retired' OR OLD.status = 'published' AND NEW.status = 'draft' THEN
    RAISE EXCEPTION 'a regimen version cannot go back to an earlier status' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER regimens_guard BEFORE UPDATE ON regimens FOR EACH ROW EXECUTE FUNCTION app_regimen_guard();
