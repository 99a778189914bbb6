-- The monthly report reads only the episodes that can count in its range (src/reports/rules.ts, mayCount): those with
-- an event since the range began, and those active at home now (an episode active at home at the start of the range
-- either still is, or has had an event since). The rest of years of history stays in the database. These take the
-- place of the two-argument functions of 0014 and 0015 for the report; as before, `k` names the same episode in both
-- answers (the same episodes, ranked the same way) and no identifier is returned. p_from is a bound a day before the
-- range's first London date; the filter keeps more than it needs, never less.
CREATE FUNCTION app_report_episode_events(p_from timestamptz, p_to timestamptz, p_trust uuid)
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
    AND (e.state = 'active-at-home' OR e.id IN (SELECT x.episode_id FROM episode_events x WHERE x.at >= p_from))
$$;
--> statement-breakpoint
CREATE FUNCTION app_report_lvef(p_from timestamptz, p_to timestamptz, p_trust uuid)
RETURNS TABLE (k integer, lvef_monitoring jsonb, measured_on text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH eps AS (
    SELECT e.id, dense_rank() OVER (ORDER BY e.id)::integer AS k
    FROM episodes e JOIN patients p ON p.id = e.patient_id
    WHERE (p_trust IS NULL OR e.trust_id = p_trust)
      AND EXISTS (SELECT 1 FROM episode_events ev WHERE ev.episode_id = e.id AND ev.at < p_to)
      AND (e.state = 'active-at-home' OR e.id IN (SELECT x.episode_id FROM episode_events x WHERE x.at >= p_from))
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
--> statement-breakpoint
-- The two-argument forms read the whole history: nothing calls them now.
DROP FUNCTION app_report_episode_events(timestamptz, uuid);
--> statement-breakpoint
DROP FUNCTION app_report_lvef(timestamptz, uuid);
