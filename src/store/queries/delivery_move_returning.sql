FROM moves WHERE deliveries.id = moves.id AND deliveries.lease_token = moves.lease_token
RETURNING deliveries.id
