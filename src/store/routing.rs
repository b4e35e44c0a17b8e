//! Routing at Dispatch: which endpoints an event goes to. The batch writer
//! keeps the endpoints it parsed, indexed by what they subscribe to, while
//! the store's routing version stands still, so neither the read of the
//! endpoints nor the match of an event grows with endpoints it does not
//! concern.

use std::collections::HashMap;
use std::sync::Arc;

use super::StoreError;
use super::batch_connection::BatchConnection;
use super::model::Routing;
use super::rows::{RoutingRow, SendingColumns, payload_filter};
use crate::domain::{Event, EventPattern, PayloadFilter};

/// The endpoints as routing last read them, kept by one writer while the
/// store's routing version stands still: a batch then reads one counter
/// instead of every endpoint, whose patterns and filters it would parse
/// again.
#[derive(Default)]
pub(super) struct RoutingCache {
    kept: Option<(i64, Arc<RoutingTable>)>,
}

impl RoutingCache {
    /// The endpoints as of this transaction, indexed. The version is read
    /// first: a change committed between the two reads leaves endpoints
    /// newer than their version, which the next batch reads again, never
    /// older.
    pub(super) async fn current(
        &mut self,
        conn: &mut impl BatchConnection,
    ) -> Result<Arc<RoutingTable>, StoreError> {
        let version = conn.routing_version().await?;
        if let (Some((kept, table)), Some(version)) = (&self.kept, version)
            && *kept == version
        {
            return Ok(Arc::clone(table));
        }
        let endpoints = conn
            .routing_endpoints()
            .await?
            .into_iter()
            .map(RoutingEndpoint::try_from)
            .collect::<Result<_, _>>()?;
        let table = Arc::new(RoutingTable::new(endpoints));
        self.kept = version.map(|version| (version, Arc::clone(&table)));
        Ok(table)
    }
}

/// An endpoint as routing sees it, patterns and filter parsed once per
/// change to it.
pub(super) struct RoutingEndpoint {
    pub(super) id: String,
    patterns: Vec<EventPattern>,
    pub(super) active: bool,
    filter: Option<PayloadFilter>,
    pub(super) max_concurrent: Option<u32>,
    /// Read and opened only for an endpoint whose deliveries start at once.
    pub(super) sending: SendingColumns,
}

impl TryFrom<RoutingRow> for RoutingEndpoint {
    type Error = StoreError;

    fn try_from(row: RoutingRow) -> Result<Self, StoreError> {
        let raw: Vec<String> = serde_json::from_str(&row.event_patterns).map_err(|e| {
            StoreError::Corrupt(format!(
                "endpoint `{}` has unreadable event patterns: {e}",
                row.id
            ))
        })?;
        let patterns = raw
            .iter()
            .map(|pattern| EventPattern::parse(pattern))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("endpoint `{}`: {e}", row.id)))?;
        let filter = payload_filter(row.payload_filter.as_deref(), &row.id)?;
        Ok(RoutingEndpoint {
            max_concurrent: row.max_concurrent(),
            id: row.id,
            patterns,
            active: row.active,
            filter,
            sending: row.sending,
        })
    }
}

/// The endpoints in the routing query's order, with their positions by
/// id and by what they subscribe to.
pub(super) struct RoutingTable {
    endpoints: Vec<RoutingEndpoint>,
    by_id: HashMap<String, usize>,
    /// By the event type of an exact pattern.
    exact: HashMap<String, Vec<usize>>,
    /// By the part of a `prefix.*` pattern before `.*`.
    prefix: HashMap<String, Vec<usize>>,
    /// Subscribed to `*`.
    every: Vec<usize>,
}

impl RoutingTable {
    fn new(endpoints: Vec<RoutingEndpoint>) -> Self {
        let mut table = RoutingTable {
            by_id: HashMap::with_capacity(endpoints.len()),
            exact: HashMap::new(),
            prefix: HashMap::new(),
            every: Vec::new(),
            endpoints: Vec::new(),
        };
        for (at, endpoint) in endpoints.iter().enumerate() {
            table.by_id.insert(endpoint.id.clone(), at);
            for pattern in &endpoint.patterns {
                match pattern {
                    EventPattern::All => table.every.push(at),
                    EventPattern::Exact(event_type) => {
                        table.exact.entry(event_type.clone()).or_default().push(at);
                    }
                    EventPattern::Prefix(prefix) => {
                        table.prefix.entry(prefix.clone()).or_default().push(at);
                    }
                }
            }
        }
        table.endpoints = endpoints;
        table
    }

    /// The endpoints subscribed to `event_type`, in the table's order.
    fn subscribed(&self, event_type: &str) -> Vec<&RoutingEndpoint> {
        let mut found = self.every.clone();
        found.extend(self.exact.get(event_type).into_iter().flatten());
        // `order.*` covers `order.created` and `order.item.added`: every
        // part of the type before a dot is a prefix that may be subscribed.
        for (dot, _) in event_type.match_indices('.') {
            found.extend(self.prefix.get(&event_type[..dot]).into_iter().flatten());
        }
        // An endpoint with several matching patterns is routed to once.
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|at| &self.endpoints[at]).collect()
    }

    fn get(&self, id: &str) -> Option<&RoutingEndpoint> {
        self.by_id.get(id).map(|at| &self.endpoints[*at])
    }
}

/// The endpoints an event goes to, or why it cannot be sent.
pub(super) fn route<'e>(
    table: &'e RoutingTable,
    event: &Event,
    routing: &Routing,
) -> Result<Vec<&'e RoutingEndpoint>, StoreError> {
    match routing {
        Routing::Subscribed => {
            // Parsed only when a subscribed endpoint has a filter.
            let mut payload: Option<serde_json::Value> = None;
            // Disabled endpoints still get deliveries: paused until enabled.
            let mut routed = table.subscribed(event.event_type.as_str());
            routed.retain(|e| {
                e.filter.as_ref().is_none_or(|filter| {
                    let payload = payload.get_or_insert_with(|| {
                        // Canonical JSON written by webhookd: always parses.
                        serde_json::from_slice(event.payload.as_bytes())
                            .unwrap_or(serde_json::Value::Null)
                    });
                    filter.matches(payload)
                })
            });
            Ok(routed)
        }
        Routing::Targeted(targets) => {
            let mut routed: Vec<&RoutingEndpoint> = Vec::with_capacity(targets.len());
            for target in targets {
                let endpoint = table
                    .get(target.as_str())
                    .ok_or_else(|| StoreError::EndpointNotFound(target.to_string()))?;
                if !endpoint.active {
                    return Err(StoreError::EndpointInactive(endpoint.id.clone()));
                }
                if !routed.iter().any(|e| e.id == endpoint.id) {
                    routed.push(endpoint);
                }
            }
            Ok(routed)
        }
        Routing::Operational(targets) => {
            // In the table's order, as a subscription would be.
            let mut routed: Vec<usize> = targets
                .iter()
                .filter_map(|target| table.by_id.get(target.as_str()).copied())
                .collect();
            routed.sort_unstable();
            routed.dedup();
            Ok(routed.into_iter().map(|at| &table.endpoints[at]).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(id: &str, patterns: &[&str]) -> RoutingEndpoint {
        RoutingEndpoint {
            id: id.to_owned(),
            patterns: patterns
                .iter()
                .map(|pattern| EventPattern::parse(pattern).unwrap())
                .collect(),
            active: true,
            filter: None,
            max_concurrent: None,
            sending: SendingColumns::default(),
        }
    }

    /// The index answers exactly what matching every pattern of every
    /// endpoint would, in the same order.
    #[test]
    fn the_index_routes_as_matching_every_pattern_would() {
        let table = RoutingTable::new(vec![
            endpoint("ep_a", &["order.created"]),
            endpoint("ep_b", &["order.*"]),
            endpoint("ep_c", &["*"]),
            endpoint("ep_d", &["order.item.*", "order.item.added", "invoice.*"]),
            endpoint("ep_e", &["orders.*"]),
            endpoint("ep_f", &["order"]),
        ]);
        for event_type in [
            "order.created",
            "order.item.added",
            "order.item.removed",
            "order",
            "orders.created",
            "order.createdx",
            "invoice.paid",
            "other",
        ] {
            let parsed = crate::domain::EventType::parse(event_type).unwrap();
            let expected: Vec<&str> = table
                .endpoints
                .iter()
                .filter(|e| e.patterns.iter().any(|p| p.matches(&parsed)))
                .map(|e| e.id.as_str())
                .collect();
            let indexed: Vec<&str> = table
                .subscribed(event_type)
                .into_iter()
                .map(|e| e.id.as_str())
                .collect();
            assert_eq!(indexed, expected, "routing {event_type}");
        }
        assert_eq!(
            table
                .subscribed("order.item.added")
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>(),
            ["ep_b", "ep_c", "ep_d"]
        );
    }
}
