//! The layers of the configuration: the YAML file, then `WEBHOOKD_…`
//! environment overrides, then flags, then `${VAR}` interpolation; and the
//! deserialisation that names the key at fault.

use serde::Deserialize;
use serde_norway::Value;

use super::{CliOverrides, Config, ConfigError, DatabaseConfig, ENV_PREFIX, LogFormat};

/// The config of `yaml` with every layer applied, parsed (not yet checked
/// across keys).
pub(super) fn load(
    yaml: Option<&str>,
    env: impl IntoIterator<Item = (String, String)>,
    cli: &CliOverrides,
) -> Result<Config, ConfigError> {
    let mut tree = layered_tree(yaml, env, cli)?;
    interpolate_env_vars(&mut tree, "", &|name| std::env::var(name).ok())?;
    deserialize(tree)
}

/// Only the `database` section of the file at `path`, with every layer
/// applied, checked.
pub(super) fn load_database(
    path: Option<&str>,
    cli: &CliOverrides,
) -> Result<DatabaseConfig, ConfigError> {
    #[derive(Deserialize)]
    struct DatabaseOnly {
        #[serde(default)]
        database: DatabaseConfig,
    }
    let text = read_file(path)?;
    let tree = layered_tree(text.as_deref(), std::env::vars(), cli)?;
    // Only this section is interpolated: a `${VAR}` elsewhere (the signing
    // secret, say) need not be set to migrate.
    let mut database = Value::Mapping(Default::default());
    if let Some(section) = tree.get("database") {
        database
            .as_mapping_mut()
            .expect("just built as a mapping")
            .insert(Value::from("database"), section.clone());
    }
    interpolate_env_vars(&mut database, "", &|name| std::env::var(name).ok())?;
    let only: DatabaseOnly = deserialize(database)?;
    only.database.check()?;
    Ok(only.database)
}

pub(super) fn read_file(path: Option<&str>) -> Result<Option<String>, ConfigError> {
    path.map(|path| {
        std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })
    })
    .transpose()
}

/// The YAML tree after every layer: the file, then `WEBHOOKD_…` variables
/// from `env`, then flags (`${VAR}` interpolation is the caller's).
fn layered_tree(
    yaml: Option<&str>,
    env: impl IntoIterator<Item = (String, String)>,
    cli: &CliOverrides,
) -> Result<Value, ConfigError> {
    let mut tree = match yaml {
        Some(text) => {
            serde_norway::from_str::<Value>(text).map_err(|e| ConfigError::Syntax(e.to_string()))?
        }
        None => Value::Null,
    };
    if tree.is_null() {
        tree = Value::Mapping(Default::default());
    }
    apply_env_overrides(&mut tree, env)?;
    apply_cli_overrides(&mut tree, cli)?;
    Ok(tree)
}

/// Deserialises `tree`, naming the key at fault in any error.
fn deserialize<T: serde::de::DeserializeOwned>(tree: Value) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(tree).map_err(|e| {
        let parent = match e.path().to_string() {
            root if root == "." => String::new(),
            path => path,
        };
        let reason = e.into_inner().to_string();
        // serde reports a missing key at its parent; name the key itself.
        let key = match missing_field(&reason) {
            Some(field) if parent.is_empty() => field.to_owned(),
            Some(field) => format!("{parent}.{field}"),
            None => parent,
        };
        ConfigError::invalid(key, reason)
    })
}

/// The field named by serde's "missing field `x`" message.
fn missing_field(reason: &str) -> Option<&str> {
    reason
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

/// Applies `WEBHOOKD_SECTION__KEY=value` variables. Path segments are
/// separated by `__`; a numeric segment indexes a list (`WEBHOOKD_ENDPOINTS__0__URL`).
/// Values are parsed as YAML scalars, so `3` is a number and `true` a bool.
fn apply_env_overrides(
    tree: &mut Value,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    let mut overrides: Vec<(String, String)> = env
        .into_iter()
        .filter(|(name, _)| name.starts_with(ENV_PREFIX) && name.contains("__"))
        .collect();
    // Deterministic order, so a later, more specific key wins predictably.
    overrides.sort();
    for (name, raw) in overrides {
        let path: Vec<String> = name[ENV_PREFIX.len()..]
            .split("__")
            .map(str::to_ascii_lowercase)
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(ConfigError::invalid(
                name,
                "environment override has an empty path segment",
            ));
        }
        let value: Value = serde_norway::from_str(&raw).unwrap_or(Value::String(raw.clone()));
        // A YAML scalar that parses to null (an empty string) stays a string.
        let value = if value.is_null() {
            Value::String(raw)
        } else {
            value
        };
        set_path(tree, &path, value).map_err(|reason| ConfigError::invalid(name, reason))?;
    }
    Ok(())
}

fn apply_cli_overrides(tree: &mut Value, cli: &CliOverrides) -> Result<(), ConfigError> {
    let mut set = |path: &[&str], value: String| {
        let path: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        set_path(tree, &path, Value::String(value))
            .map_err(|reason| ConfigError::invalid(path.join("."), reason))
    };
    if let Some(addr) = cli.grpc_addr {
        set(&["server", "grpc_addr"], addr.to_string())?;
    }
    if let Some(addr) = cli.http_addr {
        set(&["server", "http_addr"], addr.to_string())?;
    }
    if let Some(url) = &cli.database_url {
        set(&["database", "url"], url.clone())?;
    }
    if let Some(format) = cli.log_format {
        let name = match format {
            LogFormat::Pretty => "pretty",
            LogFormat::Json => "json",
        };
        set(&["logging", "format"], name.to_owned())?;
    }
    Ok(())
}

fn set_path(tree: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let Some((head, rest)) = path.split_first() else {
        *tree = value;
        return Ok(());
    };
    if let Ok(index) = head.parse::<usize>() {
        let Value::Sequence(items) = tree else {
            return Err(format!(
                "`{head}` indexes a list, but the value there is not a list"
            ));
        };
        let Some(item) = items.get_mut(index) else {
            return Err(format!(
                "list index {index} is out of range (the list has {} items)",
                items.len()
            ));
        };
        return set_path(item, rest, value);
    }
    if tree.is_null() {
        *tree = Value::Mapping(Default::default());
    }
    let Value::Mapping(map) = tree else {
        return Err(format!(
            "cannot set `{head}` inside a value that is not a mapping"
        ));
    };
    let key = Value::String(head.clone());
    let child = map.entry(key).or_insert(Value::Null);
    set_path(child, rest, value)
}

/// Replaces `${NAME}` in string values with the environment variable `NAME`.
pub(super) fn interpolate_env_vars(
    tree: &mut Value,
    key: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    match tree {
        Value::String(text) if text.contains("${") => {
            *text =
                interpolate(text, lookup).map_err(|reason| ConfigError::invalid(key, reason))?;
        }
        Value::Mapping(map) => {
            for (child_key, child) in map.iter_mut() {
                let name = child_key.as_str().unwrap_or("?");
                let path = if key.is_empty() {
                    name.to_owned()
                } else {
                    format!("{key}.{name}")
                };
                interpolate_env_vars(child, &path, lookup)?;
            }
        }
        Value::Sequence(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                interpolate_env_vars(child, &format!("{key}[{index}]"), lookup)?;
            }
        }
        _ => {}
    }
    Ok(())
}

pub(super) fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err("unterminated `${` in value".to_owned());
        };
        let name = &after[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`${{{name}}}` is not a valid environment variable reference"
            ));
        }
        let value =
            lookup(name).ok_or_else(|| format!("environment variable `{name}` is not set"))?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}
