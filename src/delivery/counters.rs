//! This process's delivery counters, kept in the Prometheus project's own
//! metric types (`prometheus-client`): events dispatched, attempts by
//! endpoint and outcome, dead letters, and attempt durations. The HTTP
//! listener exposes them at `/metrics`.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;

use crate::domain::{EndpointId, ErrorKind};

/// Latency histogram bounds, in seconds.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Endpoints with labels of their own; later ones share the label
/// `_other`, so a scrape stays bounded however many endpoints exist.
pub const MAX_LABELLED_ENDPOINTS: usize = 500;
const OTHER_ENDPOINTS: &str = "_other";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    pub endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AttemptLabels {
    pub endpoint: String,
    /// `success` or an error kind.
    pub outcome: String,
}

type HistogramFamily = Family<EndpointLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The counters; cheap to update from any task.
pub struct Counters {
    pub dispatched_events: Counter,
    pub attempts: Family<AttemptLabels, Counter>,
    pub dead_lettered: Family<EndpointLabels, Counter>,
    pub attempt_duration: HistogramFamily,
    /// Endpoints given labels of their own so far. A std mutex: held for a
    /// lookup, never across an await.
    labelled: Mutex<HashSet<String>>,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            dispatched_events: Counter::default(),
            attempts: Family::default(),
            dead_lettered: Family::default(),
            attempt_duration: Family::new_with_constructor(latency_histogram),
            labelled: Mutex::new(HashSet::new()),
        }
    }
}

impl Counters {
    pub fn new() -> Self {
        Self::default()
    }

    /// The label of `endpoint`: its id, or `_other` past the first
    /// `MAX_LABELLED_ENDPOINTS`.
    pub fn label(&self, endpoint: &EndpointId) -> String {
        let mut labelled = self
            .labelled
            .lock()
            .expect("the counters lock is never poisoned");
        if labelled.contains(endpoint.as_str()) || labelled.len() < MAX_LABELLED_ENDPOINTS {
            labelled.insert(endpoint.to_string());
            endpoint.to_string()
        } else {
            OTHER_ENDPOINTS.to_owned()
        }
    }

    pub fn observe_dispatch(&self) {
        self.dispatched_events.inc();
    }

    pub fn observe_attempt(
        &self,
        endpoint: &EndpointId,
        error: Option<ErrorKind>,
        latency: Duration,
    ) {
        let endpoint = self.label(endpoint);
        let outcome = error.map_or("success", ErrorKind::as_str).to_owned();
        self.attempts
            .get_or_create(&AttemptLabels {
                endpoint: endpoint.clone(),
                outcome,
            })
            .inc();
        self.attempt_duration
            .get_or_create(&EndpointLabels { endpoint })
            .observe(latency.as_secs_f64());
    }

    pub fn observe_dead_letter(&self, endpoint: &EndpointId) {
        let endpoint = self.label(endpoint);
        self.dead_lettered
            .get_or_create(&EndpointLabels { endpoint })
            .inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_bounded() {
        let counters = Counters::new();
        for n in 0..MAX_LABELLED_ENDPOINTS + 10 {
            let id = EndpointId::parse(&format!("ep_{n}")).unwrap();
            counters.observe_attempt(&id, None, Duration::from_millis(1));
        }
        let first = EndpointId::parse("ep_0").unwrap();
        assert_eq!(
            counters.label(&first),
            "ep_0",
            "a labelled endpoint keeps its label"
        );
        let late = EndpointId::parse("ep_late").unwrap();
        assert_eq!(counters.label(&late), OTHER_ENDPOINTS);
    }
}
