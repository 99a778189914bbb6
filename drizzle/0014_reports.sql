-- Reports across organisations (issue 6). Commissioners, the network lead and administrators see no patient row under
-- row-level security, yet their reports count every Trust's patients. These functions are the one way to read across
-- Trusts, and they return no identifier: no patient, episode, NHS number, name, date of birth or postcode — only the
-- Trust and unit, an age in years, IMD decile, ethnic category, pathway events with their dates and reasons, doses
-- given with their place, and counts. The application aggregates and suppresses small numbers before anything leaves.
--
-- They run as homeward_reporter: a role nobody logs in as and homeward_app is not a member of, whose only rights are
-- to read these tables through policies of its own. A SECURITY DEFINER function owned by the migrating user would
-- see nothing under FORCE ROW LEVEL SECURITY unless that user is a superuser (as in tests, not in a strict
-- deployment), so ownership is given to this role instead; no RLS policy of the request role changes.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'homeward_reporter') THEN
    CREATE ROLE homeward_reporter NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
--> statement-breakpoint
-- To hand a function to the role, a non-superuser owner must be able to SET ROLE to it.
DO $$ BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT homeward_reporter TO %I', current_user);
  END IF;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO homeward_reporter;
--> statement-breakpoint
GRANT SELECT ON patients, episodes, episode_events, administrations, prescriptions, reactions, incidents TO homeward_reporter;
--> statement-breakpoint
CREATE POLICY patients_reporting ON patients FOR SELECT TO homeward_reporter USING (true);
--> statement-breakpoint
CREATE POLICY episodes_reporting ON episodes FOR SELECT TO homeward_reporter USING (true);
--> statement-breakpoint
CREATE POLICY episode_events_reporting ON episode_events FOR SELECT TO homeward_reporter USING (true);
--> statement-breakpoint
CREATE POLICY administrations_reporting ON administrations FOR SELECT TO homeward_reporter USING (true);
--> statement-breakpoint
CREATE POLICY prescriptions_reporting ON prescriptions FOR SELECT TO homeward_reporter USING (true);
--> statement-breakpoint
CREATE POLICY reactions_reporting ON reactions FOR SELECT TO homeward_reporter USING (true);
--> statement-breakpoint
CREATE POLICY incidents_reporting ON incidents FOR SELECT TO homeward_reporter USING (true);
--> statement-breakpoint
-- Pathway events before p_to, each with its Europe/London date, of every episode (of one Trust when p_trust is given). `k` numbers the episodes inside this
-- one answer only, so the events of one episode can be put together; it is not stored anywhere and names nobody.
CREATE FUNCTION app_report_episode_events(p_to timestamptz, p_trust uuid)
RETURNS TABLE (k integer, trust_id uuid, unit_id uuid, age_years integer, imd_decile integer, ethnic_category text,
               event text, to_state text, reason_code text, on_date text, version integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT dense_rank() OVER (ORDER BY e.id)::integer, e.trust_id, p.unit_id,
         date_part('year', age((e.created_at AT TIME ZONE 'Europe/London')::date, p.date_of_birth))::integer,
         p.imd_decile, p.ethnic_category, ev.event, ev.to_state, ev.reason_code,
         to_char(ev.at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD'), ev.version
  FROM episodes e
  JOIN patients p ON p.id = e.patient_id
  JOIN episode_events ev ON ev.episode_id = e.id
  WHERE ev.at < p_to AND (p_trust IS NULL OR e.trust_id = p_trust)
$$;
--> statement-breakpoint
-- Doses given between two dates: where, by which route, the drug amounts and the chair time the prescription set.
CREATE FUNCTION app_report_doses(p_from date, p_to date, p_trust uuid)
RETURNS TABLE (trust_id uuid, unit_id uuid, place text, given_on text, route text, doses jsonb, chair_minutes integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT a.trust_id, p.unit_id, a.place, a.given_on::text, rx.route, a.doses, rx.infusion_minutes + rx.observation_minutes
  FROM administrations a
  JOIN prescriptions rx ON rx.id = a.prescription_id
  JOIN patients p ON p.id = a.patient_id
  WHERE a.given_on BETWEEN p_from AND p_to AND (p_trust IS NULL OR a.trust_id = p_trust)
$$;
--> statement-breakpoint
-- Reactions by grade and incidents by severity, counted per Trust and month (Europe/London).
CREATE FUNCTION app_report_safety(p_from timestamptz, p_to timestamptz, p_trust uuid)
RETURNS TABLE (trust_id uuid, kind text, category text, month text, n integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT r.trust_id, 'reaction', r.grade::text, to_char(r.recorded_at AT TIME ZONE 'Europe/London', 'YYYY-MM'), count(*)::integer
  FROM reactions r WHERE r.recorded_at >= p_from AND r.recorded_at < p_to AND (p_trust IS NULL OR r.trust_id = p_trust)
  GROUP BY 1, 2, 3, 4
  UNION ALL
  SELECT i.trust_id, 'incident', i.severity, to_char(i.recorded_at AT TIME ZONE 'Europe/London', 'YYYY-MM'), count(*)::integer
  FROM incidents i WHERE i.recorded_at >= p_from AND i.recorded_at < p_to AND (p_trust IS NULL OR i.trust_id = p_trust)
  GROUP BY 1, 2, 3, 4
$$;
--> statement-breakpoint
-- A new owner needs CREATE on the schema for the hand-over; it keeps none afterwards.
GRANT CREATE ON SCHEMA public TO homeward_reporter;
--> statement-breakpoint
ALTER FUNCTION app_report_episode_events(timestamptz, uuid) OWNER TO homeward_reporter;
--> statement-breakpoint
ALTER FUNCTION app_report_doses(date, date, uuid) OWNER TO homeward_reporter;
--> statement-breakpoint
ALTER FUNCTION app_report_safety(timestamptz, timestamptz, uuid) OWNER TO homeward_reporter;
--> statement-breakpoint
REVOKE CREATE ON SCHEMA public FROM homeward_reporter;
--> statement-breakpoint
REVOKE ALL ON FUNCTION app_report_episode_events(timestamptz, uuid), app_report_doses(date, date, uuid), app_report_safety(timestamptz, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app_report_episode_events(timestamptz, uuid), app_report_doses(date, date, uuid), app_report_safety(timestamptz, timestamptz, uuid) TO homeward_app;
