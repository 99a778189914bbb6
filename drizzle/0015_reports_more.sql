-- Reports across organisations, continued (issue 6, items 6–8): incidents by kind and severity, and each treatment
-- course's LVEF history for the LVEF compliance figure. Like 0014_reports.sql, these run as homeward_reporter and return
-- no identifier: a course is named only by `k`, the number app_report_episode_events gives its episode in the same
-- answer (the same episodes, ranked the same way), so the application can read the episode's state at a month end.
GRANT SELECT ON treatment_courses, lvef_results, regimens TO homeward_reporter;
--> statement-breakpoint
CREATE POLICY treatment_courses_reporting ON treatment_courses FOR SELECT TO homeward_reporter USING (true);
--> statement-breakpoint
CREATE POLICY lvef_results_reporting ON lvef_results FOR SELECT TO homeward_reporter USING (true);
--> statement-breakpoint
-- Incidents by kind and severity, counted per Trust and month (Europe/London).
CREATE FUNCTION app_report_incidents(p_from timestamptz, p_to timestamptz, p_trust uuid)
RETURNS TABLE (trust_id uuid, kind text, severity text, month text, n integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT i.trust_id, i.kind, i.severity, to_char(i.recorded_at AT TIME ZONE 'Europe/London', 'YYYY-MM'), count(*)::integer
  FROM incidents i WHERE i.recorded_at >= p_from AND i.recorded_at < p_to AND (p_trust IS NULL OR i.trust_id = p_trust)
  GROUP BY 1, 2, 3, 4
$$;
--> statement-breakpoint
-- Each course of an episode with events before p_to: its regimen's LVEF monitoring rule and the dates of its LVEF
-- results. `k` is the episode's number in app_report_episode_events(p_to, p_trust).
CREATE FUNCTION app_report_lvef(p_to timestamptz, p_trust uuid)
RETURNS TABLE (k integer, lvef_monitoring jsonb, measured_on text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  WITH eps AS (
    SELECT e.id, dense_rank() OVER (ORDER BY e.id)::integer AS k
    FROM episodes e JOIN patients p ON p.id = e.patient_id
    WHERE (p_trust IS NULL OR e.trust_id = p_trust)
      AND EXISTS (SELECT 1 FROM episode_events ev WHERE ev.episode_id = e.id AND ev.at < p_to)
  )
  SELECT eps.k, r.definition -> 'lvefMonitoring',
         coalesce(array(SELECT l.measured_on::text FROM lvef_results l WHERE l.course_id = c.id ORDER BY l.measured_on), '{}')
  FROM eps JOIN treatment_courses c ON c.episode_id = eps.id JOIN regimens r ON r.id = c.regimen_id
$$;
--> statement-breakpoint
GRANT CREATE ON SCHEMA public TO homeward_reporter;
--> statement-breakpoint
ALTER FUNCTION app_report_incidents(timestamptz, timestamptz, uuid) OWNER TO homeward_reporter;
--> statement-breakpoint
ALTER FUNCTION app_report_lvef(timestamptz, uuid) OWNER TO homeward_reporter;
--> statement-breakpoint
REVOKE CREATE ON SCHEMA public FROM homeward_reporter;
--> statement-breakpoint
REVOKE ALL ON FUNCTION app_report_incidents(timestamptz, timestamptz, uuid), app_report_lvef(timestamptz, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app_report_incidents(timestamptz, timestamptz, uuid), app_report_lvef(timestamptz, uuid) TO homeward_app;
