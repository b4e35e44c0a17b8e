-- Tells other instances that new deliveries are due; delivered to
-- listeners when the transaction commits.
SELECT pg_notify($1, '')
