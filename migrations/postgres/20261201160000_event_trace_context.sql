-- The producer's W3C trace context (traceparent, tracestate), sent on
-- with every delivery of the event.
ALTER TABLE events ADD COLUMN traceparent TEXT;
ALTER TABLE events ADD COLUMN tracestate TEXT;
