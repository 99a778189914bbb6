-- Episodes and their history are patient data: the owning Trust sees them, and a provider sees them while it may see
-- the patient (an active referral under an active agreement). Providers may record their answer to a referral.
ALTER TABLE episodes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE episodes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY episodes_scope ON episodes
  USING (trust_id = app_org() OR (provider_id = app_org() AND app_provider_sees_patient(patient_id, trust_id)))
  WITH CHECK (trust_id = app_org() OR (provider_id = app_org() AND app_provider_sees_patient(patient_id, trust_id)));
--> statement-breakpoint
ALTER TABLE episode_events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE episode_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY episode_events_scope ON episode_events
  USING (trust_id = app_org() OR app_provider_sees_patient(patient_id, trust_id))
  WITH CHECK (trust_id = app_org() OR (by_org_id = app_org() AND app_provider_sees_patient(patient_id, trust_id)));
