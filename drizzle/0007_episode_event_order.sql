ALTER TABLE "episode_events" ADD COLUMN "version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Rows written before the column existed get their order from time (then id), so history stays in sequence.
UPDATE episode_events e SET version = o.n + 1
FROM (SELECT id, row_number() OVER (PARTITION BY episode_id ORDER BY at, id) AS n FROM episode_events) o
WHERE e.id = o.id AND e.version = 0;
--> statement-breakpoint
CREATE UNIQUE INDEX episode_events_episode_version_uq ON episode_events (episode_id, version);
--> statement-breakpoint
-- Referrals: a provider may read and answer the referrals sent to it, but only a Trust may create one.
DROP POLICY referrals_scope ON referrals;
--> statement-breakpoint
CREATE POLICY referrals_read ON referrals FOR SELECT
  USING (trust_id = app_org() OR (provider_id = app_org() AND app_agreement_active(trust_id, provider_id)));
--> statement-breakpoint
CREATE POLICY referrals_insert ON referrals FOR INSERT WITH CHECK (trust_id = app_org());
--> statement-breakpoint
CREATE POLICY referrals_update ON referrals FOR UPDATE
  USING (trust_id = app_org() OR (provider_id = app_org() AND app_agreement_active(trust_id, provider_id)))
  WITH CHECK (trust_id = app_org() OR (provider_id = app_org() AND app_agreement_active(trust_id, provider_id)));
