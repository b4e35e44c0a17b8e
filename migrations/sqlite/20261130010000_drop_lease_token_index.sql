-- Nothing looks deliveries up by lease token any more (claims return the
-- ids they leased), so the index only cost a write on every claim and
-- every result.
DROP INDEX deliveries_lease_token;
