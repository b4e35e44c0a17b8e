//! The layering of `src/` (docs/overview.md): a module may use modules of
//! lower layers only. A module that reaches up, or sideways into another
//! module of its own layer, fails here with the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules by layer, bottom first.
const LAYERS: &[&[&str]] = &[
    // Leaves: no imports from the crate.
    &["clock", "limits", "signing"],
    &["domain"],
    &["config"],
    &["store"],
    // `error` turns store errors into API errors for the layers above.
    &["delivery", "error"],
    &["service"],
    // The transports, and what the app needs beside them.
    &["api", "http", "listener", "tls", "telemetry", "check"],
    &["app"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// The library's top-level module a file belongs to; `None` for the crate
/// roots and the binaries, which may use everything.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" | "main.rs" | "bin" => None,
        name => Some(name.trim_end_matches(".rs").to_owned()),
    }
}

/// The top-level modules a line names as `crate::<module>`, outside comments.
fn crate_paths(line: &str) -> Vec<&str> {
    let code = line.split("//").next().unwrap_or("");
    code.match_indices("crate::")
        .map(|(at, prefix)| {
            let rest = &code[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Every use of another top-level module: (file:line, from, to).
fn crate_uses() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut uses = Vec::new();
    for file in files {
        let Some(from) = module_of(&src, &file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            for to in crate_paths(line) {
                if to != from {
                    let place = format!("{}:{}", file.display(), number + 1);
                    uses.push((place, from.clone(), to.to_owned()));
                }
            }
        }
    }
    uses
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let uses = crate_uses();
    assert!(
        uses.len() > 50,
        "the scan found too few uses to be reading the sources"
    );
    let mut violations = Vec::new();
    let mut unplaced = BTreeMap::new();
    for (place, from, to) in &uses {
        match (layer_of(from), layer_of(to)) {
            (Some(from_layer), Some(to_layer)) if to_layer >= from_layer => {
                violations.push(format!("{place}: `{from}` uses `{to}`"));
            }
            (Some(_), Some(_)) => {}
            (None, _) => {
                unplaced.insert(from.clone(), place.clone());
            }
            (_, None) => {
                unplaced.insert(to.clone(), place.clone());
            }
        }
    }
    assert!(
        unplaced.is_empty(),
        "modules missing from LAYERS (place them, and in docs/overview.md): {unplaced:?}"
    );
    assert!(
        violations.is_empty(),
        "imports against the layering of docs/overview.md:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_scan_reads_paths_and_skips_comments() {
    assert_eq!(
        crate_paths("use crate::store::{Store, StoreError}; // crate::app"),
        ["store"]
    );
    assert_eq!(
        crate_paths("let x = crate::clock::now_millis() + crate::limits::MAX;"),
        ["clock", "limits"]
    );
    assert!(crate_paths("/// see crate::app").is_empty());
    // `app` sits above `store`: the check would refuse this direction.
    assert!(layer_of("app") > layer_of("store"));
}
