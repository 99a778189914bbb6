-- Security backstops that live in the database itself: the application role, row-level security on patient data,
-- and the append-only, hash-chained audit trail.

-- The role every request runs as (SET LOCAL ROLE). It cannot bypass RLS. Roles are cluster-wide, so creation
-- tolerates another database in the same cluster having made it first.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'homeward_app') THEN
    CREATE ROLE homeward_app NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_org() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
--> statement-breakpoint
-- The request's "today" comes from the application clock, so the database and the application agree on dates.
CREATE OR REPLACE FUNCTION app_today() RETURNS date LANGUAGE sql STABLE AS
$$ SELECT coalesce(nullif(current_setting('app.today', true), '')::date, current_date) $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_agreement_active(p_trust uuid, p_provider uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (
    SELECT 1 FROM agreements a
    WHERE a.trust_id = p_trust AND a.provider_id = p_provider AND a.ended_at IS NULL
      AND a.starts_on <= app_today() AND (a.ends_on IS NULL OR a.ends_on >= app_today())
  )
$$;
--> statement-breakpoint
-- Security definer so the check can read referrals without recursing through referrals' own policy.
CREATE OR REPLACE FUNCTION app_provider_sees_patient(p_patient uuid, p_trust uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT app_org() IS NOT NULL AND app_agreement_active(p_trust, app_org()) AND EXISTS (
    SELECT 1 FROM referrals r
    WHERE r.patient_id = p_patient AND r.provider_id = app_org() AND r.status IN ('referred', 'accepted')
  )
$$;
--> statement-breakpoint
ALTER TABLE patients ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE patients FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY patients_scope ON patients
  USING (trust_id = app_org() OR app_provider_sees_patient(id, trust_id))
  WITH CHECK (trust_id = app_org());
--> statement-breakpoint
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE referrals FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY referrals_scope ON referrals
  USING (trust_id = app_org() OR (provider_id = app_org() AND app_agreement_active(trust_id, provider_id)))
  WITH CHECK (trust_id = app_org() OR (provider_id = app_org() AND app_agreement_active(trust_id, provider_id)));
--> statement-breakpoint
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, repeat('0', 64)) ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- The exact text that is hashed for one audit row. audit:verify recomputes it, so keep the two in step.
CREATE OR REPLACE FUNCTION audit_canonical(a audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_array(
    a.seq, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.user_id, a.username, a.org_id,
    a.role, a.patient_id, a.action, a.outcome, a.purpose, a.ip, a.detail, a.prev_hash
  )::text
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_row_hash(a audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT encode(sha256(convert_to(audit_canonical(a), 'UTF8')), 'hex') $$;
--> statement-breakpoint
-- Chains each new row to the previous one. Locking the head row serialises writers, so seq is gap-free and in
-- commit order, and no application code can choose a row's hash.
CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  head audit_head%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_head WHERE id = 1 FOR UPDATE;
  NEW.seq := head.last_seq + 1;
  NEW.prev_hash := head.last_hash;
  NEW.hash := audit_row_hash(NEW);
  UPDATE audit_head SET last_seq = NEW.seq, last_hash = NEW.hash WHERE id = 1;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_chain();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
