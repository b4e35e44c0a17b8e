SELECT MAX(id) FROM deliveries
