-- One Trust's report (an aggregate viewer choosing a Trust) looks only at that Trust's recent events when finding the
-- episodes in its window; 0021 looked at every Trust's and kept the chosen Trust's episodes afterwards. Same answer.
DROP FUNCTION app_report_episode_events(timestamptz, timestamptz, uuid);
--> statement-breakpoint
DROP FUNCTION app_report_lvef(timestamptz, timestamptz, uuid);
--> statement-breakpoint
CREATE FUNCTION app_report_episode_events(p_from timestamptz, p_to timestamptz, p_trust uuid)
RETURNS TABLE (k integer, trust_id uuid, unit_id uuid, age_years integer, imd_decile integer, ethnic_category text,
               event text, to_state text, reason_code text, on_date text, version integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public SET jit = off SET work_mem = '64MB' AS $$
  WITH eps AS (
    SELECT e.id FROM episodes e WHERE e.state = 'active-at-home' AND (p_trust IS NULL OR e.trust_id = p_trust)
    UNION
    SELECT x.episode_id FROM episode_events x WHERE x.at >= p_from AND (p_trust IS NULL OR x.trust_id = p_trust)
  )
  SELECT dense_rank() OVER (ORDER BY e.id)::integer, e.trust_id, p.unit_id,
         date_part('year', age((e.created_at AT TIME ZONE 'Europe/London')::date, p.date_of_birth))::integer,
         p.imd_decile, p.ethnic_category, ev.event, ev.to_state, ev.reason_code,
         to_char(ev.at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD'), ev.version
  FROM episodes e
  JOIN patients p ON p.id = e.patient_id
  JOIN episode_events ev ON ev.episode_id = e.id
  WHERE ev.at < p_to AND (p_trust IS NULL OR e.trust_id = p_trust) AND e.id IN (SELECT id FROM eps)
$$;
--> statement-breakpoint
CREATE FUNCTION app_report_lvef(p_from timestamptz, p_to timestamptz, p_trust uuid)
RETURNS TABLE (k integer, lvef_monitoring jsonb, measured_on text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public SET jit = off SET work_mem = '64MB' AS $$
  WITH win AS (
    SELECT e.id FROM episodes e WHERE e.state = 'active-at-home' AND (p_trust IS NULL OR e.trust_id = p_trust)
    UNION
    SELECT x.episode_id FROM episode_events x WHERE x.at >= p_from AND (p_trust IS NULL OR x.trust_id = p_trust)
  ),
  eps AS (
    SELECT e.id, dense_rank() OVER (ORDER BY e.id)::integer AS k
    FROM episodes e JOIN patients p ON p.id = e.patient_id
    WHERE (p_trust IS NULL OR e.trust_id = p_trust)
      AND EXISTS (SELECT 1 FROM episode_events ev WHERE ev.episode_id = e.id AND ev.at < p_to)
      AND e.id IN (SELECT id FROM win)
  )
  SELECT eps.k, r.definition -> 'lvefMonitoring',
         coalesce(array(SELECT l.measured_on::text FROM lvef_results l WHERE l.course_id = c.id ORDER BY l.measured_on), '{}')
  FROM eps JOIN treatment_courses c ON c.episode_id = eps.id JOIN regimens r ON r.id = c.regimen_id
$$;
--> statement-breakpoint
GRANT CREATE ON SCHEMA public TO homeward_reporter;
--> statement-breakpoint
ALTER FUNCTION app_report_episode_events(timestamptz, timestamptz, uuid) OWNER TO homeward_reporter;
--> statement-breakpoint
ALTER FUNCTION app_report_lvef(timestamptz, timestamptz, uuid) OWNER TO homeward_reporter;
--> statement-breakpoint
REVOKE CREATE ON SCHEMA public FROM homeward_reporter;
--> statement-breakpoint
REVOKE ALL ON FUNCTION app_report_episode_events(timestamptz, timestamptz, uuid), app_report_lvef(timestamptz, timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app_report_episode_events(timestamptz, timestamptz, uuid), app_report_lvef(timestamptz, timestamptz, uuid) TO homeward_app;
