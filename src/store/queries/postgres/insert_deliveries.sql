-- One array per column ($1…$11), as in insert_events.sql. The rows are
-- inserted in the arrays' order, so that `ordering_seq` follows the
-- dispatch order within a batch.
INSERT INTO deliveries (id, event_id, endpoint_id, state, next_attempt_at, created_at, updated_at, ordering_key,
                        lease_owner, lease_token, leased_until)
SELECT id, event_id, endpoint_id, state, next_attempt_at, created_at, updated_at, ordering_key,
       lease_owner, lease_token, leased_until
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[],
            $9::text[], $10::text[], $11::bigint[])
     WITH ORDINALITY AS rows (id, event_id, endpoint_id, state, next_attempt_at, created_at, updated_at, ordering_key,
                              lease_owner, lease_token, leased_until, position)
ORDER BY position
