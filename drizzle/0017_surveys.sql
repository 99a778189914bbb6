CREATE TABLE "survey_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"patient_id" uuid NOT NULL,
	"episode_id" uuid NOT NULL,
	"trust_id" uuid NOT NULL,
	"unit_id" uuid,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "survey_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"org_id" uuid NOT NULL,
	"unit_id" uuid,
	"patient_id" uuid,
	"episode_id" uuid,
	"answers" jsonb NOT NULL,
	"source" text NOT NULL,
	"entered_by" uuid,
	"link_id" uuid,
	"submitted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "survey_responses_patient_ck" CHECK (("survey_responses"."kind" = 'patient-satisfaction') = ("survey_responses"."patient_id" IS NOT NULL AND "survey_responses"."episode_id" IS NOT NULL)),
	CONSTRAINT "survey_responses_source_ck" CHECK (("survey_responses"."source" = 'patient-link') = ("survey_responses"."link_id" IS NOT NULL AND "survey_responses"."entered_by" IS NULL) AND ("survey_responses"."source" = 'staff') = ("survey_responses"."entered_by" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "survey_links" ADD CONSTRAINT "survey_links_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_links" ADD CONSTRAINT "survey_links_episode_id_episodes_id_fk" FOREIGN KEY ("episode_id") REFERENCES "public"."episodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_links" ADD CONSTRAINT "survey_links_trust_id_organisations_id_fk" FOREIGN KEY ("trust_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_links" ADD CONSTRAINT "survey_links_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_links" ADD CONSTRAINT "survey_links_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_episode_id_episodes_id_fk" FOREIGN KEY ("episode_id") REFERENCES "public"."episodes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_entered_by_users_id_fk" FOREIGN KEY ("entered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_link_id_survey_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."survey_links"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "survey_links_token_hash_uq" ON "survey_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "survey_links_episode_idx" ON "survey_links" USING btree ("episode_id");--> statement-breakpoint
CREATE UNIQUE INDEX "survey_responses_link_uq" ON "survey_responses" USING btree ("link_id");--> statement-breakpoint
CREATE INDEX "survey_responses_org_kind_idx" ON "survey_responses" USING btree ("org_id","kind","submitted_at");--> statement-breakpoint
-- Surveys are patient data: a patient survey names its patient and episode, and a link opens a survey for one patient.
-- A Trust sees and writes only its own rows. The patient answering through a link is signed out: the request sets
-- app.survey_token to the SHA-256 of the token it was given, which shows it exactly that one link (the hash of a
-- 256-bit secret only the link holds), and then app.org_id to the link's Trust so its answers can be written.
ALTER TABLE survey_links ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE survey_links FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY survey_links_scope ON survey_links
  USING (trust_id = app_org() OR token_hash = current_setting('app.survey_token', true))
  WITH CHECK (trust_id = app_org() OR token_hash = current_setting('app.survey_token', true));
--> statement-breakpoint
-- A link is only ever marked used, once: nothing else about it changes, and a used link cannot be opened again.
CREATE FUNCTION app_survey_link_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (to_jsonb(NEW) - 'used_at') IS DISTINCT FROM (to_jsonb(OLD) - 'used_at') OR OLD.used_at IS NOT NULL OR NEW.used_at IS NULL THEN
    RAISE EXCEPTION 'a survey link can only be marked used, once' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER survey_links_guard BEFORE UPDATE ON survey_links FOR EACH ROW EXECUTE FUNCTION app_survey_link_guard();
--> statement-breakpoint
ALTER TABLE survey_responses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE survey_responses FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY survey_responses_read ON survey_responses FOR SELECT USING (org_id = app_org());
--> statement-breakpoint
-- Written for the user's own organisation only; a patient survey only for that Trust's own patient, and answers sent
-- through a link only for the link's patient and episode, while the link is unused.
CREATE POLICY survey_responses_insert ON survey_responses FOR INSERT WITH CHECK (
  org_id = app_org()
  AND (patient_id IS NULL OR EXISTS (SELECT 1 FROM patients p WHERE p.id = patient_id AND p.trust_id = org_id))
  AND (link_id IS NULL OR EXISTS (SELECT 1 FROM survey_links l WHERE l.id = link_id AND l.trust_id = org_id AND l.patient_id = survey_responses.patient_id AND l.episode_id = survey_responses.episode_id AND l.used_at IS NULL)));
--> statement-breakpoint
-- What a patient or a member of staff answered is a record: written once, never changed or deleted. The trigger holds
-- even for a role that has the privilege (grants.sql re-grants every table after each run, then revokes again).
CREATE FUNCTION app_survey_responses_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'survey responses are append-only: % refused', TG_OP USING ERRCODE = '42501';
END $$;
--> statement-breakpoint
CREATE TRIGGER survey_responses_no_update_delete BEFORE UPDATE OR DELETE ON survey_responses FOR EACH ROW EXECUTE FUNCTION app_survey_responses_refuse_change();
--> statement-breakpoint
CREATE TRIGGER survey_responses_no_truncate BEFORE TRUNCATE ON survey_responses FOR EACH STATEMENT EXECUTE FUNCTION app_survey_responses_refuse_change();
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON survey_links TO homeward_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON survey_responses TO homeward_app;
--> statement-breakpoint
REVOKE DELETE, TRUNCATE ON survey_links FROM homeward_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON survey_responses FROM homeward_app;
--> statement-breakpoint
-- The report across Trusts (as 0014_reports.sql): survey answers through a function owned by homeward_reporter, with
-- the organisation and the Europe/London date but never the patient, episode, link or who entered them. A patient's
-- comments are removed here, so they never reach an aggregate viewer; staff comments are kept.
GRANT SELECT ON survey_responses TO homeward_reporter;
--> statement-breakpoint
CREATE POLICY survey_responses_reporting ON survey_responses FOR SELECT TO homeward_reporter USING (true);
--> statement-breakpoint
CREATE FUNCTION app_report_survey_answers(p_from timestamptz, p_to timestamptz, p_trust uuid)
RETURNS TABLE (kind text, org_id uuid, on_date text, answers jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT s.kind, s.org_id, to_char(s.submitted_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD'),
         CASE WHEN s.kind = 'patient-satisfaction'
              THEN coalesce((SELECT jsonb_object_agg(a.key, a.value - 'comment') FROM jsonb_each(s.answers) a), '{}'::jsonb)
              ELSE s.answers END
  FROM survey_responses s
  WHERE s.submitted_at >= p_from AND s.submitted_at < p_to AND (p_trust IS NULL OR s.org_id = p_trust)
$$;
--> statement-breakpoint
GRANT CREATE ON SCHEMA public TO homeward_reporter;
--> statement-breakpoint
ALTER FUNCTION app_report_survey_answers(timestamptz, timestamptz, uuid) OWNER TO homeward_reporter;
--> statement-breakpoint
REVOKE CREATE ON SCHEMA public FROM homeward_reporter;
--> statement-breakpoint
REVOKE ALL ON FUNCTION app_report_survey_answers(timestamptz, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app_report_survey_answers(timestamptz, timestamptz, uuid) TO homeward_app;
