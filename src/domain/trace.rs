//! W3C Trace Context (https://www.w3.org/TR/trace-context/): the
//! `traceparent` and `tracestate` a producer sends with Dispatch travel with
//! the event into every delivery request, each attempt as a new child span
//! of the producer's, so a receiver's trace joins the producer's.

use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use rand::RngCore;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Longest `tracestate` kept (the specification's 32 members of up to 256
/// characters each fit in far less in practice; longer ones are dropped).
const MAX_TRACESTATE_BYTES: usize = 512;

/// A producer's trace context, as validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// 32 lowercase hex digits, not all zero.
    pub trace_id: String,
    /// The producer's span: 16 lowercase hex digits, not all zero.
    pub parent_id: String,
    /// Two hex digits; bit 0 is "sampled".
    pub flags: String,
    pub tracestate: Option<String>,
}

impl TraceContext {
    /// Reads the headers; `None` when `traceparent` is absent or invalid
    /// (the specification says to ignore it then, not to fail the call).
    /// An invalid `tracestate` is dropped on its own.
    pub fn parse(traceparent: &str, tracestate: Option<&str>) -> Option<Self> {
        let mut parts = traceparent.trim().split('-');
        let (version, trace_id, parent_id, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        // Version 00 has exactly four fields; later versions may add more.
        let more = parts.next().is_some();
        let valid = is_hex(version, 2)
            && version != "ff"
            && !(version == "00" && more)
            && is_hex(trace_id, 32)
            && is_hex(parent_id, 16)
            && is_hex(flags, 2)
            && trace_id.bytes().any(|b| b != b'0')
            && parent_id.bytes().any(|b| b != b'0');
        if !valid {
            return None;
        }
        let tracestate = tracestate
            .map(str::trim)
            .filter(|state| {
                !state.is_empty()
                    && state.len() <= MAX_TRACESTATE_BYTES
                    && state.bytes().all(|b| (0x20..0x7f).contains(&b))
            })
            .map(str::to_owned);
        Some(TraceContext {
            trace_id: trace_id.to_owned(),
            parent_id: parent_id.to_owned(),
            flags: flags.to_owned(),
            tracestate,
        })
    }

    /// The `traceparent` as received (version 00).
    pub fn traceparent(&self) -> String {
        format!("00-{}-{}-{}", self.trace_id, self.parent_id, self.flags)
    }

    /// The `traceparent` of a child span `span_id` (16 hex digits).
    pub fn child_traceparent(&self, span_id: &str) -> String {
        format!("00-{}-{}-{}", self.trace_id, span_id, self.flags)
    }
}

/// A fresh span id: 16 hex digits, not all zero.
pub fn new_span_id() -> String {
    let mut bytes = [0u8; 8];
    while bytes == [0; 8] {
        rand::rng().fill_bytes(&mut bytes);
    }
    hex::encode(bytes)
}

/// Makes `span` a child of the producer's span, for the exported trace.
/// Without the exporter this does nothing.
pub fn continue_trace(span: &tracing::Span, trace: &TraceContext) {
    let (Ok(trace_id), Ok(parent_id), Ok(flags)) = (
        TraceId::from_hex(&trace.trace_id),
        SpanId::from_hex(&trace.parent_id),
        u8::from_str_radix(&trace.flags, 16),
    ) else {
        return;
    };
    let state = trace
        .tracestate
        .as_deref()
        .and_then(|state| state.parse::<TraceState>().ok())
        .unwrap_or_default();
    let parent = SpanContext::new(trace_id, parent_id, TraceFlags::new(flags), true, state);
    let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(parent));
}

/// The id of `span` as exported, so that a receiver's span joins it; a
/// fresh id when nothing is exported.
pub fn span_id_of(span: &tracing::Span) -> String {
    let context = span.context();
    let span_context = context.span().span_context().clone();
    if span_context.is_valid() {
        span_context.span_id().to_string()
    } else {
        new_span_id()
    }
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn reads_a_valid_traceparent_and_makes_children() {
        let context = TraceContext::parse(PARENT, Some("congo=t61rcWkgMzE")).unwrap();
        assert_eq!(context.traceparent(), PARENT);
        assert_eq!(context.tracestate.as_deref(), Some("congo=t61rcWkgMzE"));
        let span = new_span_id();
        assert_eq!(span.len(), 16);
        assert_eq!(
            context.child_traceparent(&span),
            format!("00-4bf92f3577b34da6a3ce929d0e0e4736-{span}-01")
        );
        assert_ne!(new_span_id(), new_span_id());
    }

    #[test]
    fn ignores_what_the_specification_says_to_ignore() {
        for invalid in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        ] {
            assert_eq!(TraceContext::parse(invalid, None), None, "{invalid}");
        }
        let later_version = TraceContext::parse(
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
            None,
        );
        assert!(later_version.is_some(), "later versions may add fields");
        let bad_state = TraceContext::parse(PARENT, Some("a=\u{7}")).unwrap();
        assert_eq!(bad_state.tracestate, None);
    }
}
