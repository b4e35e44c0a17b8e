//! Config loading: defaults, layers, every error naming its key, the
//! reference in docs/configuration.md.

use super::layers::{interpolate, interpolate_env_vars};
use super::*;
use serde_norway::Value;

const MINIMAL: &str = "webhook_engine:\n  signing_secret: s3cret\n";

fn load(yaml: &str) -> Result<Config, ConfigError> {
    Config::load(Some(yaml), Vec::new(), &CliOverrides::default())
}

fn invalid_key(yaml: &str) -> (String, String) {
    match load(yaml) {
        Err(ConfigError::Invalid { key, reason }) => (key, reason),
        other => panic!("expected an invalid-config error for {yaml:?}, got {other:?}"),
    }
}

#[test]
fn example_config_loads_with_documented_values() {
    let text = include_str!("../../config.example.yaml");
    let config = load(text).expect("config.example.yaml must load");
    assert_eq!(config.webhook_engine.max_concurrent_deliveries, 50);
    assert_eq!(
        config.webhook_engine.request_timeout,
        Duration::from_secs(10)
    );
    assert_eq!(config.retry_policy.max_attempts, 5);
    assert_eq!(config.retry_policy.max_delay, Duration::from_secs(300));
    assert!(config.dead_letter.enabled);
    assert_eq!(config.dead_letter.max_age_days, 30);
    assert_eq!(config.health.failure_threshold, 10);
    assert_eq!(config.endpoints[0].id, "ep_001");
    assert_eq!(config.server.grpc_addr.to_string(), "127.0.0.1:50051");
    assert_eq!(config.database.url, "sqlite://webhookd.db");
    assert!(
        config
            .placeholder_secrets()
            .contains(&"webhook_engine.signing_secret".to_owned())
    );
}

#[test]
fn absent_keys_take_defaults() {
    let config = load(MINIMAL).unwrap();
    assert_eq!(config.webhook_engine.max_concurrent_deliveries, 50);
    assert_eq!(
        config.webhook_engine.request_timeout,
        Duration::from_secs(10)
    );
    assert_eq!(config.webhook_engine.max_payload_bytes, 256 * 1024);
    assert_eq!(config.retry_policy.max_attempts, 5);
    assert_eq!(config.retry_policy.initial_delay, Duration::from_secs(1));
    assert_eq!(config.retry_policy.backoff_multiplier, 2.0);
    assert!(config.retry_policy.jitter);
    assert!(config.dead_letter.enabled);
    assert_eq!(config.health.failure_threshold, 10);
    assert_eq!(config.server.http_addr.to_string(), "127.0.0.1:8080");
    assert_eq!(config.database.group_commit_wait, Duration::from_millis(3));
    assert_eq!(config.webhook_engine.lease(), Duration::from_secs(40));
    assert!(config.placeholder_secrets().is_empty());
}

#[test]
fn fractional_delays_are_accepted() {
    let config = load(&format!(
        "{MINIMAL}retry_policy:\n  initial_delay_seconds: 0.25\n"
    ))
    .unwrap();
    assert_eq!(
        config.retry_policy.initial_delay,
        Duration::from_millis(250)
    );
}

#[test]
fn runtime_threads_leave_a_core_to_sqlite_unless_configured() {
    let sqlite = load(MINIMAL).unwrap();
    assert!(sqlite.database.is_sqlite());
    let threads = |config: &Config, cores| {
        config
            .server
            .runtime_threads(config.database.is_sqlite(), cores)
    };
    assert_eq!(threads(&sqlite, 8), 7);
    assert_eq!(threads(&sqlite, 2), 1);
    assert_eq!(threads(&sqlite, 1), 1);
    let postgres = load(&format!(
        "{MINIMAL}database:\n  url: postgres://webhookd@db.example/webhookd\n"
    ))
    .unwrap();
    assert_eq!(threads(&postgres, 8), 8);
    assert_eq!(threads(&postgres, 2), 2);
    let configured = load(&format!("{MINIMAL}server:\n  worker_threads: 3\n")).unwrap();
    assert_eq!(threads(&configured, 2), 3);
    assert_eq!(threads(&configured, 16), 3);
}

// Long by design: one row per rule (name, YAML, key, reason), so the table
// reads as the list of what the config refuses.
#[test]
fn every_config_error_names_its_key_and_reason() {
    let endpoint = |extra: &str| {
        format!(
            "{MINIMAL}endpoints:\n  - id: ep_1\n    url: https://a.example/hook\n    events: [\"a.b\"]\n{extra}"
        )
    };
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "unknown key",
            format!("{MINIMAL}retry_policy:\n  max_attempt: 3\n"),
            "retry_policy.max_attempt",
            "unknown field `max_attempt`",
        ),
        (
            "no runtime threads",
            format!("{MINIMAL}server:\n  worker_threads: 0\n"),
            "server.worker_threads",
            "must be at least 1",
        ),
        (
            "unknown section",
            format!("{MINIMAL}webhooks: {{}}\n"),
            "webhooks",
            "unknown field `webhooks`",
        ),
        (
            "wrong type",
            format!("{MINIMAL}retry_policy:\n  max_attempts: many\n"),
            "retry_policy.max_attempts",
            "invalid type",
        ),
        (
            "invalid url",
            format!(
                "{MINIMAL}endpoints:\n  - id: ep_1\n    url: not a url\n    events: [\"a.b\"]\n"
            ),
            "endpoints[0].url",
            "not a valid URL",
        ),
        (
            "non-http url",
            format!(
                "{MINIMAL}endpoints:\n  - id: ep_1\n    url: ftp://a.example/\n    events: [\"a.b\"]\n"
            ),
            "endpoints[0].url",
            "http or https",
        ),
        (
            "duplicate endpoint id",
            endpoint("  - id: ep_1\n    url: https://b.example/\n    events: [\"a.b\"]\n"),
            "endpoints[1].id",
            "duplicate endpoint id",
        ),
        (
            "max_attempts below 1",
            format!("{MINIMAL}retry_policy:\n  max_attempts: 0\n"),
            "retry_policy.max_attempts",
            "at least 1",
        ),
        (
            "multiplier below 1",
            format!("{MINIMAL}retry_policy:\n  backoff_multiplier: 0.5\n"),
            "retry_policy.backoff_multiplier",
            "at least 1",
        ),
        (
            "initial delay above max delay",
            format!(
                "{MINIMAL}retry_policy:\n  initial_delay_seconds: 10\n  max_delay_seconds: 5\n"
            ),
            "retry_policy.initial_delay_seconds",
            "must not exceed",
        ),
        (
            "missing signing secret",
            "webhook_engine:\n  max_concurrent_deliveries: 5\n".to_owned(),
            "webhook_engine.signing_secret",
            "missing field `signing_secret`",
        ),
        (
            "missing engine section",
            "retry_policy:\n  max_attempts: 3\n".to_owned(),
            "webhook_engine",
            "missing field `webhook_engine`",
        ),
        (
            "empty endpoint secret",
            endpoint("    secret: \"\"\n"),
            "endpoints[0].secret",
            "must not be empty",
        ),
        (
            "standard scheme without a secret",
            endpoint("    signature_scheme: standard\n"),
            "endpoints[0].secret",
            "needs the endpoint's own secret",
        ),
        (
            "standard scheme with a plain secret",
            endpoint("    signature_scheme: standard\n    secret: not-base64-at-all\n"),
            "endpoints[0].secret",
            "`whsec_` + base64",
        ),
        (
            "unknown signature scheme",
            endpoint("    signature_scheme: svix\n"),
            "endpoints[0].signature_scheme",
            "unknown variant",
        ),
        (
            "invalid event pattern",
            format!(
                "{MINIMAL}endpoints:\n  - id: ep_1\n    url: https://a.example/\n    events: [\"Order Created\"]\n"
            ),
            "endpoints[0].events[0]",
            "invalid event",
        ),
        (
            "lease not longer than timeout",
            "webhook_engine:\n  signing_secret: s\n  default_timeout_seconds: 10\n  lease_seconds: 5\n"
                .to_owned(),
            "webhook_engine.lease_seconds",
            "longer than default_timeout_seconds",
        ),
        (
            "endpoint on loopback without an exception",
            format!(
                "{MINIMAL}endpoints:\n  - id: ep_1\n    url: http://127.0.0.1:9000/hook\n    events: [\"a.b\"]\n"
            ),
            "endpoints[0].url",
            "security.allowed_networks",
        ),
        (
            "endpoint on the metadata address in decimal",
            format!(
                "{MINIMAL}endpoints:\n  - id: ep_1\n    url: http://2852039166/latest\n    events: [\"a.b\"]\n"
            ),
            "endpoints[0].url",
            "link-local",
        ),
        (
            "bad CIDR",
            format!("{MINIMAL}security:\n  allowed_networks: [\"127.0.0.1/40\"]\n"),
            "security.allowed_networks[0]",
            "not a CIDR",
        ),
        (
            "open API on a public address",
            format!("{MINIMAL}server:\n  grpc_addr: \"0.0.0.0:50051\"\n"),
            "security.allow_unauthenticated",
            "not loopback",
        ),
        (
            "API key with both forms",
            format!(
                "{MINIMAL}security:\n  api_keys:\n    - name: a\n      key: k-0123456789abcdef\n      key_sha256: \"00\"\n      role: admin\n"
            ),
            "security.api_keys[0].key",
            "exactly one",
        ),
        (
            "API key with an unknown role",
            format!("{MINIMAL}security:\n  api_keys:\n    - name: a\n      key: k-0123456789abcdef\n      role: root\n"),
            "security.api_keys[0].role",
            "unknown variant",
        ),
        (
            "zero per-endpoint concurrency",
            "webhook_engine:\n  signing_secret: s\n  max_concurrent_per_endpoint: 0\n".to_owned(),
            "webhook_engine.max_concurrent_per_endpoint",
            "at least 1",
        ),
        (
            "alert email without recipients",
            format!(
                "{MINIMAL}alerts:\n  email:\n    host: smtp.example.com\n    from: a@example.com\n    to: []\n"
            ),
            "alerts.email.to",
            "at least one recipient",
        ),
        (
            "alert email with a bad mailbox",
            format!(
                "{MINIMAL}alerts:\n  email:\n    host: smtp.example.com\n    from: a@example.com\n    to: [\"not a mailbox\"]\n"
            ),
            "alerts.email.to[0]",
            "not a mailbox",
        ),
        (
            "alert email with an unknown TLS mode",
            format!(
                "{MINIMAL}alerts:\n  email:\n    host: h\n    tls: maybe\n    from: a@example.com\n    to: [b@example.com]\n"
            ),
            "alerts.email.tls",
            "unknown variant",
        ),
        (
            "zero breaker threshold",
            format!("{MINIMAL}health:\n  circuit_breaker_failures: 0\n"),
            "health.circuit_breaker_failures",
            "at least 1",
        ),
        (
            "bad listen address",
            format!("{MINIMAL}server:\n  grpc_addr: localhost\n"),
            "server.grpc_addr",
            "invalid socket address",
        ),
        (
            "custom header webhookd sets itself",
            endpoint("    headers:\n      Content-Type: text/plain\n"),
            "endpoints[0].headers.Content-Type",
            "cannot be overridden",
        ),
        (
            "endpoint retry schedule with a negative delay",
            endpoint("    retry_policy:\n      max_attempts: 3\n      delays_seconds: [1, -2]\n"),
            "endpoints[0].retry_policy.delays_seconds[1]",
            "from 0 to 86400",
        ),
        (
            "event catalog schema that is not a JSON Schema",
            format!(
                "{MINIMAL}event_catalog:\n  types:\n    - name: order.created\n      schema: {{type: nothing}}\n"
            ),
            "event_catalog.types[0].schema",
            "not a valid JSON Schema",
        ),
        (
            "event catalog type given twice",
            format!("{MINIMAL}event_catalog:\n  types:\n    - name: a.b\n    - name: a.b\n"),
            "event_catalog.types[1].name",
            "listed twice",
        ),
        (
            "event catalog schema file that does not exist",
            format!(
                "{MINIMAL}event_catalog:\n  types:\n    - name: a.b\n      schema_file: /nonexistent/schema.json\n"
            ),
            "event_catalog.types[0].schema_file",
            "/nonexistent/schema.json",
        ),
        (
            "OTLP endpoint that is not a URL",
            format!("{MINIMAL}telemetry:\n  otlp_enabled: true\n  otlp_endpoint: collector:4317\n"),
            "telemetry.otlp_endpoint",
            "http(s) URL",
        ),
        (
            "secret key that is not 32 bytes",
            format!("{MINIMAL}security:\n  secret_keys:\n    - id: k1\n      key: c2hvcnQ=\n"),
            "security.secret_keys[0].key",
            "32 random bytes",
        ),
        (
            "retry budget above the whole",
            "webhook_engine:\n  signing_secret: s3cret\n  retry_budget: 1.5\n".to_owned(),
            "webhook_engine.retry_budget",
            "at most 1",
        ),
        (
            "endpoint filter with an unknown operator",
            endpoint("    filter:\n      order.total: {$above: 100}\n"),
            "endpoints[0].filter.order.total.$above",
            "$gte",
        ),
        (
            "operational webhook endpoint not in the file",
            format!("{MINIMAL}alerts:\n  webhook_endpoints: [ops]\n"),
            "alerts.webhook_endpoints[0]",
            "no endpoint `ops`",
        ),
        (
            "group commit wait too long",
            format!("{MINIMAL}database:\n  group_commit_wait_seconds: 0.5\n"),
            "database.group_commit_wait_seconds",
            "at most 0.1 seconds",
        ),
        (
            "negative group commit wait",
            format!("{MINIMAL}database:\n  group_commit_wait_seconds: -0.001\n"),
            "database.group_commit_wait_seconds",
            "got -0.001",
        ),
        (
            "no roles",
            format!("{MINIMAL}server:\n  roles: []\n"),
            "server.roles",
            "at least one of `api` and `worker`",
        ),
        (
            "unknown role",
            format!("{MINIMAL}server:\n  roles: [api, scheduler]\n"),
            "server.roles[1]",
            "unknown variant `scheduler`",
        ),
        (
            "split roles on SQLite",
            format!("{MINIMAL}server:\n  roles: [worker]\n"),
            "server.roles",
            "needs PostgreSQL",
        ),
        (
            "plain HTTP endpoint with https_only",
            format!(
                "{MINIMAL}security:\n  https_only: true\nendpoints:\n  - id: ep_1\n    url: http://a.example/hook\n    events: [\"a.b\"]\n"
            ),
            "endpoints[0].url",
            "security.https_only",
        ),
    ];
    for (case, yaml, expected_key, expected_reason) in cases {
        let (key, reason) = invalid_key(&yaml);
        assert_eq!(
            key, expected_key,
            "case `{case}`: wrong key (reason: {reason})"
        );
        assert!(
            reason.contains(expected_reason),
            "case `{case}`: reason {reason:?} should contain {expected_reason:?}"
        );
    }
}

#[test]
fn env_overrides_win_over_the_file_and_cli_wins_over_env() {
    let env = vec![
        (
            "WEBHOOKD_RETRY_POLICY__MAX_ATTEMPTS".to_owned(),
            "7".to_owned(),
        ),
        (
            "WEBHOOKD_RETRY_POLICY__JITTER".to_owned(),
            "false".to_owned(),
        ),
        (
            "WEBHOOKD_DATABASE__URL".to_owned(),
            "sqlite://env.db".to_owned(),
        ),
        ("WEBHOOKD_CONFIG".to_owned(), "ignored.yaml".to_owned()),
        ("UNRELATED__VAR".to_owned(), "x".to_owned()),
    ];
    let yaml = format!("{MINIMAL}retry_policy:\n  max_attempts: 3\n");
    let cli = CliOverrides {
        database_url: Some("sqlite://cli.db".to_owned()),
        ..Default::default()
    };
    let config = Config::load(Some(&yaml), env, &cli).unwrap();
    assert_eq!(config.retry_policy.max_attempts, 7);
    assert!(!config.retry_policy.jitter);
    assert_eq!(config.database.url, "sqlite://cli.db");
}

#[test]
fn env_override_can_supply_the_only_required_key() {
    let env = vec![(
        "WEBHOOKD_WEBHOOK_ENGINE__SIGNING_SECRET".to_owned(),
        "from-env".to_owned(),
    )];
    let config = Config::load(None, env, &CliOverrides::default()).unwrap();
    assert_eq!(
        config.webhook_engine.signing_secret.expose_secret(),
        "from-env"
    );
}

#[test]
fn env_override_of_a_list_item_by_index() {
    let yaml = format!(
        "{MINIMAL}endpoints:\n  - id: ep_1\n    url: https://a.example/\n    events: [\"a.b\"]\n"
    );
    let env = vec![(
        "WEBHOOKD_ENDPOINTS__0__URL".to_owned(),
        "https://b.example/".to_owned(),
    )];
    let config = Config::load(Some(&yaml), env, &CliOverrides::default()).unwrap();
    assert_eq!(config.endpoints[0].url, "https://b.example/");

    let env = vec![(
        "WEBHOOKD_ENDPOINTS__3__URL".to_owned(),
        "https://b.example/".to_owned(),
    )];
    let err = Config::load(Some(&yaml), env, &CliOverrides::default()).unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
}

#[test]
fn unknown_env_override_is_an_error_with_its_key() {
    let env = vec![(
        "WEBHOOKD_RETRY_POLICY__MAX_TRIES".to_owned(),
        "3".to_owned(),
    )];
    let err = Config::load(Some(MINIMAL), env, &CliOverrides::default()).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `max_tries`"),
        "{err}"
    );
}

#[test]
fn interpolates_environment_variables_in_strings() {
    let lookup = |name: &str| (name == "HOOK_SECRET").then(|| "abc".to_owned());
    assert_eq!(interpolate("${HOOK_SECRET}", &lookup).unwrap(), "abc");
    assert_eq!(
        interpolate("pre-${HOOK_SECRET}-post", &lookup).unwrap(),
        "pre-abc-post"
    );
    assert!(
        interpolate("${MISSING}", &lookup)
            .unwrap_err()
            .contains("`MISSING` is not set")
    );
    assert!(
        interpolate("${HOOK_SECRET", &lookup)
            .unwrap_err()
            .contains("unterminated")
    );
    assert!(
        interpolate("${a-b}", &lookup)
            .unwrap_err()
            .contains("not a valid")
    );
}

#[test]
fn missing_interpolated_variable_names_the_key() {
    let mut tree: Value =
        serde_norway::from_str("endpoints:\n  - secret: \"${WEBHOOKD_TEST_SURELY_UNSET_VAR}\"\n")
            .unwrap();
    let err = interpolate_env_vars(&mut tree, "", &|_| None).unwrap_err();
    assert!(err.to_string().contains("endpoints[0].secret"), "{err}");
}

#[test]
fn secrets_do_not_appear_in_debug_output() {
    let config = load("webhook_engine:\n  signing_secret: topsecretvalue\n").unwrap();
    assert!(!format!("{config:?}").contains("topsecretvalue"));
}

// Fuzz: any text as the config file, and any override, ends in a config
// or an error, never a panic.
proptest::proptest! {
    #[test]
    fn fuzz_any_config_text_loads_or_fails_cleanly(text in "\\PC{0,300}") {
        let _ = load(&text);
        let _ = load(&format!("{MINIMAL}{text}"));
    }

    #[test]
    fn fuzz_any_yaml_value_in_any_known_key_fails_cleanly(
        section in proptest::sample::select(vec!["server", "database", "webhook_engine", "retry_policy", "dead_letter", "health", "security", "logging", "alerts"]),
        key in "[a-z_]{1,24}",
        value in "\\PC{0,40}",
    ) {
        let _ = load(&format!("{MINIMAL}{section}:\n  {key}: {value:?}\n"));
    }

    #[test]
    fn fuzz_any_env_override_fails_cleanly(key in "[A-Z_]{1,40}", value in "\\PC{0,40}") {
        let _ = Config::load(
            Some(MINIMAL),
            vec![(format!("{ENV_PREFIX}{key}"), value)],
            &CliOverrides::default(),
        );
    }
}

/// The fields of the struct at `path` (`""` for the root), as serde
/// lists them when it meets an unknown one.
fn fields_at(path: &str) -> Vec<String> {
    let unknown = "zz_not_a_key: 1\n";
    let yaml = match path {
        "" => format!("{unknown}{MINIMAL}"),
        "endpoints[]" => format!("{MINIMAL}endpoints:\n  - {unknown}"),
        "endpoints[].retry_policy" => {
            format!("{MINIMAL}endpoints:\n  - retry_policy:\n      {unknown}")
        }
        "security.api_keys[]" => format!("{MINIMAL}security:\n  api_keys:\n    - {unknown}"),
        "event_catalog.types[]" => {
            format!("{MINIMAL}event_catalog:\n  types:\n    - {unknown}")
        }
        "security.secret_keys[]" => {
            format!("{MINIMAL}security:\n  secret_keys:\n    - {unknown}")
        }
        _ => {
            let mut yaml = String::new();
            for (depth, part) in path.split('.').enumerate() {
                yaml.push_str(&format!("{}{part}:\n", "  ".repeat(depth)));
            }
            let depth = path.split('.').count();
            let unknown = format!("{}{unknown}", "  ".repeat(depth));
            if path == "webhook_engine" {
                format!("{yaml}{unknown}  signing_secret: s\n")
            } else {
                format!("{MINIMAL}{yaml}{unknown}")
            }
        }
    };
    let (_, reason) = invalid_key(&yaml);
    let expected = reason
        .split_once("expected")
        .unwrap_or_else(|| panic!("{path}: {reason}"))
        .1;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn configuration_reference_lists_exactly_the_config_keys() {
    // Keys whose value is itself a struct of keys.
    const NESTED: [&str; 18] = [
        "server",
        "database",
        "webhook_engine",
        "retry_policy",
        "endpoints[]",
        "endpoints[].retry_policy",
        "event_catalog",
        "event_catalog.types[]",
        "dead_letter",
        "health",
        "alerts",
        "alerts.email",
        "security",
        "security.api_keys[]",
        "security.secret_keys[]",
        "logging",
        "telemetry",
        "server.tls",
    ];
    let mut leaves = std::collections::BTreeSet::new();
    let mut pending = vec![String::new()];
    while let Some(path) = pending.pop() {
        for field in fields_at(&path) {
            let child = match (path.as_str(), field.as_str()) {
                ("", "endpoints") => "endpoints[]".to_owned(),
                ("security", "api_keys") => "security.api_keys[]".to_owned(),
                ("security", "secret_keys") => "security.secret_keys[]".to_owned(),
                ("event_catalog", "types") => "event_catalog.types[]".to_owned(),
                ("", _) => field,
                _ => format!("{path}.{field}"),
            };
            if NESTED.contains(&child.as_str()) {
                pending.push(child);
            } else {
                leaves.insert(child);
            }
        }
    }
    let documented: std::collections::BTreeSet<String> =
        include_str!("../../docs/configuration.md")
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split_once('`'))
            .map(|(key, _)| key.to_owned())
            .filter(|key| !key.starts_with("--"))
            .collect();
    assert!(leaves.len() > 40, "found only {leaves:?}");
    let undocumented: Vec<_> = leaves.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&leaves).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "docs/configuration.md is out of step with src/config.rs:\n  keys missing from the docs: {undocumented:?}\n  documented keys that do not exist: {unknown:?}"
    );
}
