-- The raw claim of the call queue (bench.fieldwork, issue 22): one statement, the fair order, no
-- held lease, call-backs, zones, do-not-call or contact columns. pgbench -D low=… -D high=… -D campaign=…
\set volunteer random(:low, :high)
UPDATE fieldwork_target SET leased_to_id = :volunteer, lease_expires_at = now() + interval '15 minutes',
                            available_after = now() + interval '15 minutes'
WHERE id = (SELECT id FROM fieldwork_target WHERE campaign_id = :campaign AND status = 'queued' AND has_phone
            AND available_after <= now() AND (leased_to_id IS NULL OR lease_expires_at <= now())
            ORDER BY attempts, available_after, id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id;
