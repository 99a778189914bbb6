-- Applied after every migration run (idempotent): what the request role may do.
GRANT USAGE ON SCHEMA public TO homeward_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO homeward_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO homeward_app;
-- The audit trail: insert only. No read, no change; the chain head is touched only by the definer trigger.
REVOKE ALL ON audit_log, audit_head FROM homeward_app;
GRANT INSERT ON audit_log TO homeward_app;
-- Pathway history and GP letters are records of what happened: written once, never changed or deleted.
REVOKE UPDATE, DELETE, TRUNCATE ON episode_events, gp_letters FROM homeward_app;
REVOKE DELETE, TRUNCATE ON episodes, referrals FROM homeward_app;
-- Checklist and letter-template versions are what past assessments and letters were made from: append only.
REVOKE UPDATE, DELETE, TRUNCATE ON suitability_checklists, letter_templates FROM homeward_app;
REVOKE DELETE, TRUNCATE ON consent_forms, consents FROM homeward_app;
-- Prescribing history, overrides, deferrals and doses given are records of what happened: written once.
REVOKE UPDATE, DELETE, TRUNCATE ON prescription_events, dose_overrides, deferrals, weights FROM homeward_app;
-- A dose given can be corrected (with its version) but never deleted; its dose and prescription never change (trigger).
REVOKE DELETE, TRUNCATE ON administrations FROM homeward_app;
REVOKE DELETE, TRUNCATE ON regimens, treatment_courses, cycles, prescriptions, lvef_results FROM homeward_app;
-- What was found and done at a home visit is a record of what happened: written once.
REVOKE UPDATE, DELETE, TRUNCATE ON visit_checks, reactions, incidents, recording_keys FROM homeward_app;
REVOKE DELETE, TRUNCATE ON visits, trust_alerts FROM homeward_app;
-- Each saved version of the report settings explains the reports made with it: append only (also a trigger, 0016).
REVOKE UPDATE, DELETE, TRUNCATE ON report_settings_versions FROM homeward_app;
-- Survey answers are a record of what was said: written once (also a trigger, 0017); a link is only marked used.
REVOKE UPDATE, DELETE, TRUNCATE ON survey_responses FROM homeward_app;
REVOKE DELETE, TRUNCATE ON survey_links FROM homeward_app;
