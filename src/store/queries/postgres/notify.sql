-- Tells other instances that new deliveries are due; delivered to
-- listeners when the transaction commits. The payload ($2) names the
-- announcing store, whose own listener ignores it.
SELECT pg_notify($1, $2)
