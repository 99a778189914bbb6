CREATE TABLE "report_settings_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version" integer NOT NULL,
	"settings" jsonb NOT NULL,
	"reason" text NOT NULL,
	"saved_by" uuid NOT NULL,
	"saved_by_name" text NOT NULL,
	"saved_at" timestamp with time zone NOT NULL,
	CONSTRAINT "report_settings_versions_version_uq" UNIQUE("version")
);
--> statement-breakpoint
ALTER TABLE "report_settings_versions" ADD CONSTRAINT "report_settings_versions_saved_by_users_id_fk" FOREIGN KEY ("saved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Each saved version of the report settings is what past reports were made with: append only. The trigger holds even
-- for a role that has the privilege (grants.sql re-grants every table after each run, then revokes again).
CREATE FUNCTION app_report_settings_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'report settings versions are append-only: % refused', TG_OP USING ERRCODE = '42501';
END $$;
--> statement-breakpoint
CREATE TRIGGER report_settings_versions_no_update_delete BEFORE UPDATE OR DELETE ON report_settings_versions FOR EACH ROW EXECUTE FUNCTION app_report_settings_refuse_change();
--> statement-breakpoint
CREATE TRIGGER report_settings_versions_no_truncate BEFORE TRUNCATE ON report_settings_versions FOR EACH STATEMENT EXECUTE FUNCTION app_report_settings_refuse_change();
--> statement-breakpoint
-- No patient data, so no row-level security: every signed-in role the policy lets read the report may read them.
GRANT SELECT, INSERT ON report_settings_versions TO homeward_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON report_settings_versions FROM homeward_app;
