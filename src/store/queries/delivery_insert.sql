-- Followed by the VALUES rows.
INSERT INTO deliveries (id, event_id, endpoint_id, state, next_attempt_at, created_at, updated_at, ordering_key,
                        lease_owner, lease_token, leased_until)
