-- Leases up to $5 due deliveries to $1 (token $2, until $3, now $4): each
-- endpoint's earliest, as many as it has room for. The endpoints are
-- `picked` (claim_endpoints.sql, which also reads $6, $7, $8 and $10);
-- $9: most rows read per endpoint. Returns nothing: delivery_leased.sql,
-- run right after it in the same call, reads the leased deliveries back.
--
-- It starts from the endpoints, not from the deliveries: only the $5
-- endpoints whose earliest due delivery comes first can hold the $5
-- earliest deliveries, and the backlog of an endpoint that is disabled or
-- skipped is never read, however large it is.
UPDATE deliveries
SET state = 'in_flight', lease_owner = ?1, lease_token = ?2, leased_until = ?3, updated_at = ?4
WHERE id IN (
    SELECT id FROM (
        SELECT d.id, d.next_attempt_at, e.room,
               ROW_NUMBER() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at) AS rank
        FROM picked e
        JOIN deliveries d ON d.id IN (
            SELECT q.id FROM deliveries q
            WHERE q.endpoint_id = e.id AND q.state = 'pending' AND q.next_attempt_at <= ?4
            ORDER BY q.next_attempt_at
            LIMIT ?9
        )
    )
    WHERE rank <= room
    ORDER BY next_attempt_at
    LIMIT ?5
)
