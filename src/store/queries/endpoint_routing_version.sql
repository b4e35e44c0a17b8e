-- Raised by every change to what endpoint_routing.sql reads (a trigger on
-- endpoints); no row if an operator removed it, and then nothing is kept.
SELECT version FROM endpoint_routing_version WHERE id = 1
