//! The statements of `queries/*.sql` shared by both backends, by name.

macro_rules! query_file {
    ($name:literal) => {
        include_str!(concat!("../queries/", $name, ".sql"))
    };
}

pub(super) const EVENT_GET: &str = query_file!("event_get");
pub(super) const EVENT_EXISTS: &str = query_file!("event_exists");
pub(super) const EVENT_BY_IDEMPOTENCY_KEY: &str = query_file!("event_by_idempotency_key");
pub(super) const DELIVERY_ORIGINAL_IDS: &str = query_file!("delivery_original_ids");
pub(super) const DELIVERY_IDS_OF_DISPATCH: &str = query_file!("delivery_ids_of_dispatch");
pub(super) const DELIVERY_MAX_ID: &str = query_file!("delivery_max_id");
pub(super) const DELIVERY_CANCEL_FOR_ENDPOINT: &str = query_file!("delivery_cancel_for_endpoint");
pub(super) const PURGE_EVENTS_OF_DOOMED: &str = query_file!("purge_events_of_doomed");
pub(super) const PURGE_ATTEMPTS: &str = query_file!("purge_attempts");
pub(super) const PURGE_DELIVERIES: &str = query_file!("purge_deliveries");
pub(super) const PURGE_EVENT_IF_UNUSED: &str = query_file!("purge_event_if_unused");
pub(super) const ATTEMPT_LIST: &str = query_file!("attempt_list");
pub(super) const LEASE_RELEASE_ONE: &str = query_file!("lease_release_one");
pub(super) const LEASE_RECLAIM_EXPIRED: &str = query_file!("lease_reclaim_expired");
pub(super) const LEASE_RELEASE_OWNER: &str = query_file!("lease_release_owner");
pub(super) const ENDPOINT_ROUTING: &str = query_file!("endpoint_routing");
pub(super) const ENDPOINT_ROUTING_VERSION: &str = query_file!("endpoint_routing_version");
pub(super) const ENDPOINT_SELECT: &str = query_file!("endpoint_select");
pub(super) const ENDPOINT_GET: &str = query_file!("endpoint_get");
pub(super) const ENDPOINT_LIST: &str = query_file!("endpoint_list");
pub(super) const ENDPOINT_STATE: &str = query_file!("endpoint_state");
pub(super) const ENDPOINT_UPSERT_CONFIG: &str = query_file!("endpoint_upsert_config");
pub(super) const ENDPOINT_CONFIG_IDS: &str = query_file!("endpoint_config_ids");
pub(super) const ENDPOINT_CREATE: &str = query_file!("endpoint_create");
pub(super) const ENDPOINT_UPDATE: &str = query_file!("endpoint_update");
pub(super) const ENDPOINT_DELETE: &str = query_file!("endpoint_delete");
pub(super) const ENDPOINT_ENABLE: &str = query_file!("endpoint_enable");
pub(super) const ENDPOINT_DISABLE: &str = query_file!("endpoint_disable");
pub(super) const ENDPOINT_ROTATE_SECRET: &str = query_file!("endpoint_rotate_secret");
pub(super) const ENDPOINT_SECRET: &str = query_file!("endpoint_secret");
pub(super) const ENDPOINT_STORED_SECRETS: &str = query_file!("endpoint_stored_secrets");
pub(super) const ENDPOINT_RESEAL_SECRETS: &str = query_file!("endpoint_reseal_secrets");
pub(super) const ENDPOINT_COUNT_FAILURE: &str = query_file!("endpoint_count_failure");
pub(super) const ENDPOINT_AUTO_DISABLE: &str = query_file!("endpoint_auto_disable");
pub(super) const PROBE_WRITE: &str = query_file!("probe_write");
pub(super) const API_KEY_CREATE: &str = query_file!("api_key_create");
pub(super) const API_KEY_LIST: &str = query_file!("api_key_list");
pub(super) const API_KEY_GET: &str = query_file!("api_key_get");
pub(super) const API_KEY_REVOKE: &str = query_file!("api_key_revoke");
pub(super) const STATS_ATTEMPTS: &str = query_file!("stats_attempts");
pub(super) const STATS_DEAD_LETTERED: &str = query_file!("stats_dead_lettered");
pub(super) const STATS_PENDING: &str = query_file!("stats_pending");
pub(super) const ATTEMPT_HISTORY: &str = query_file!("attempt_history");
pub(super) const ATTEMPT_RECENT: &str = query_file!("attempt_recent");
pub(super) const EVENT_LIST: &str = query_file!("event_list");
pub(super) const EVENT_INSERT: &str = query_file!("event_insert");
pub(super) const DELIVERY_SELECT: &str = query_file!("delivery_select");
pub(super) const DELIVERY_UNFINISHED_KEYS: &str = query_file!("delivery_unfinished_keys");
pub(super) const DELIVERY_INSERT: &str = query_file!("delivery_insert");
pub(super) const DELIVERY_INSERT_REPLAY: &str = query_file!("delivery_insert_replay");
pub(super) const DELIVERY_COUNT_REPLAYABLE: &str = query_file!("delivery_count_replayable");
pub(super) const DELIVERY_REPLAY_PAGE: &str = query_file!("delivery_replay_page");
pub(super) const DELIVERY_REDRIVE: &str = query_file!("delivery_redrive");
pub(super) const DELIVERY_COUNT_DEAD_IN: &str = query_file!("delivery_count_dead_in");
pub(super) const DELIVERY_DEAD_MATCHING: &str = query_file!("delivery_dead_matching");
pub(super) const DELIVERY_MOVE: &str = query_file!("delivery_move");
pub(super) const DELIVERY_MOVE_RETURNING: &str = query_file!("delivery_move_returning");
pub(super) const ATTEMPT_INSERT: &str = query_file!("attempt_insert");
pub(super) const ENDPOINT_RESET_FAILURES: &str = query_file!("endpoint_reset_failures");
