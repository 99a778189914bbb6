-- Consents are patient data: the owning Trust records and withdraws them; a provider sees them while it may see
-- the patient (its data-sharing consent is what lets it act).
ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE consents FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY consents_read ON consents FOR SELECT USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id));
--> statement-breakpoint
CREATE POLICY consents_insert ON consents FOR INSERT WITH CHECK (trust_id = app_org());
--> statement-breakpoint
CREATE POLICY consents_update ON consents FOR UPDATE USING (trust_id = app_org()) WITH CHECK (trust_id = app_org());
--> statement-breakpoint
-- An episode belongs to one patient, Trust and regimen for life, and only the Trust chooses the provider. Row-level
-- security lets a provider update the episodes it was referred (to record its answer); this trigger stops that
-- reaching any column but the state, so even a flaw in the application cannot move a patient to another provider.
CREATE FUNCTION app_episode_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.patient_id IS DISTINCT FROM OLD.patient_id OR NEW.trust_id IS DISTINCT FROM OLD.trust_id
     OR NEW.regimen IS DISTINCT FROM OLD.regimen OR NEW.created_by IS DISTINCT FROM OLD.created_by
     OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'an episode''s patient, Trust, regimen and creation cannot change' USING ERRCODE = '42501';
  END IF;
  IF NEW.provider_id IS DISTINCT FROM OLD.provider_id AND app_org() IS DISTINCT FROM OLD.trust_id THEN
    RAISE EXCEPTION 'only the Trust may choose the provider' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER episodes_guard BEFORE UPDATE ON episodes FOR EACH ROW EXECUTE FUNCTION app_episode_guard();
