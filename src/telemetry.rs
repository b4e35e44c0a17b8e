//! Builds the tracing subscriber: log lines, and with `telemetry.otlp_enabled`
//! spans exported over OTLP/gRPC (opentelemetry crates). The writer is a
//! parameter so tests can capture or silence the output.

use anyhow::{Context as _, Result};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{LogFormat, TelemetryConfig};

/// Flushes and stops the span exporter when dropped (at exit).
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(e) = provider.shutdown()
        {
            eprintln!("webhookd: failed to flush the last spans: {e}");
        }
    }
}

/// Installs the global subscriber: `level` unless `RUST_LOG` is set, in
/// `format`, written to `writer`, plus the OTLP span exporter when
/// `telemetry` enables it. Must run inside the Tokio runtime (the exporter's
/// gRPC channel lives there). `ansi` colours the pretty format.
pub fn init<W>(
    format: LogFormat,
    level: &str,
    ansi: bool,
    writer: W,
    telemetry: &TelemetryConfig,
) -> Result<TelemetryGuard>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let provider = telemetry
        .otlp_enabled
        .then(|| span_exporter(telemetry))
        .transpose()?;
    let otel = provider
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer("webhookd")));
    let fmt = tracing_subscriber::fmt::layer()
        .with_ansi(ansi)
        .with_writer(writer);
    let registry = tracing_subscriber::registry().with(filter).with(otel);
    // A second init (tests) keeps the first subscriber.
    let _ = match format {
        LogFormat::Json => registry.with(fmt.json().flatten_event(true)).try_init(),
        LogFormat::Pretty => registry.with(fmt).try_init(),
    };
    Ok(TelemetryGuard { provider })
}

fn span_exporter(telemetry: &TelemetryConfig) -> Result<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(telemetry.otlp_endpoint.clone())
        .build()
        .with_context(|| {
            format!(
                "failed to set up the OTLP exporter to telemetry.otlp_endpoint {}",
                telemetry.otlp_endpoint
            )
        })?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name(telemetry.service_name.clone())
                .build(),
        )
        .build())
}
