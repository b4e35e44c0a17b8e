//! Tiny runs of the benchmark harness, so it keeps working: its ledger
//! must balance, every signature must verify, and it must count failed
//! attempts. (The real figures come from release builds; see
//! docs/benchmarks.md.)

use std::process::Command;

/// Runs the harness against the debug webhookd with `args`; returns its
/// report once it succeeded.
fn run_bench(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_webhookd-bench"))
        .args(["--webhookd", env!("CARGO_BIN_EXE_webhookd")])
        .args(args)
        .output()
        .expect("webhookd-bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_benchmark_harness_balances_its_ledger() {
    let stdout = run_bench(&[
        "--events",
        "300",
        "--fan-out",
        "2",
        "--concurrency",
        "16",
        "--preload-events",
        "1000",
    ]);
    assert!(
        stdout.contains("ledger: missing 0, duplicates 0, bad signatures 0 (all 600 checked)"),
        "{stdout}"
    );
    assert_machine_share(&stdout);
    assert_thread_shares(&stdout);
}

/// webhookd's CPU time is split by what its threads do: shares that add up
/// to all of it (each rounded), and on SQLite some of it on the writer
/// thread.
fn assert_thread_shares(stdout: &str) {
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("webhookd CPU by thread"))
        .unwrap_or_else(|| panic!("no CPU by thread line in:\n{stdout}"));
    let shares: Vec<(String, f64)> = line
        .split(',')
        .filter_map(|part| {
            let (group, share) = part.trim().trim_end_matches('%').trim().rsplit_once(' ')?;
            Some((group.to_owned(), share.parse().ok()?))
        })
        .collect();
    let total: f64 = shares.iter().map(|(_, share)| share).sum();
    assert!((97.0..=103.0).contains(&total), "{line:?}");
    // The writes run on webhookd's SQLite writer thread, the rest of
    // SQLite's statements on sqlx's. A group that used no clock tick is
    // left out, as sqlx's threads may be in a run this short.
    assert!(
        shares
            .iter()
            .any(|(group, share)| group == "SQLite writer" && *share > 0.0),
        "{line:?}"
    );
    let groups = [
        "tokio runtime",
        "SQLite writer",
        "SQLite statements",
        "other",
    ];
    assert!(
        shares
            .iter()
            .all(|(group, _)| groups.contains(&group.as_str())),
        "{line:?}"
    );
}

/// The machine's busy and stolen shares are reported, and are shares: the
/// run kept at least part of a core busy, and the two add up to at most
/// all of the time (each rounded).
fn assert_machine_share(stdout: &str) {
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("machine CPU"))
        .unwrap_or_else(|| panic!("no machine CPU line in:\n{stdout}"));
    let shares: Vec<f64> = line
        .split('%')
        .filter_map(|part| part.split_whitespace().last()?.parse().ok())
        .collect();
    let [busy, steal] = shares[..] else {
        panic!("two shares in {line:?}");
    };
    assert!(busy > 0.0 && busy <= 100.0, "{line:?}");
    assert!(steal >= 0.0 && busy + steal <= 101.0, "{line:?}");
}

#[test]
fn the_backlog_scenario_drains_everything_it_held() {
    let stdout = run_bench(&["--events", "400", "--backlog"]);
    for expected in [
        "400 deliveries pending before the endpoints are enabled",
        "backlog drain by stage",
        "µs per delivery",
        "ledger: missing 0, duplicates 0, bad signatures 0 (all 400 checked)",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in:\n{stdout}");
    }
    assert_machine_share(&stdout);
    let rates = tenths(&stdout, "backlog drain by tenth", "/s");
    assert!(
        rates.iter().all(|rate| rate.parse::<f64>().unwrap() > 0.0),
        "{rates:?}"
    );
    // A stretch too short for two readings of the machine shows `?`.
    let stolen = tenths(&stdout, "stolen by tenth", "%");
    assert!(
        stolen
            .iter()
            .all(|share| *share == "?" || (0.0..=100.0).contains(&share.parse::<f64>().unwrap())),
        "{stolen:?}"
    );
}

/// The ten figures of a by-tenth line of the backlog scenario.
fn tenths<'a>(stdout: &'a str, label: &str, unit: &str) -> Vec<&'a str> {
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{stdout}"));
    let figures: Vec<&str> = line
        .trim()
        .strip_suffix(unit)
        .unwrap_or_else(|| panic!("{line:?} ends with {unit:?}"))
        .split_whitespace()
        .collect();
    assert_eq!(figures.len(), 10, "{line:?}");
    figures
}

#[test]
fn the_harness_counts_the_attempts_webhookd_logged_as_failed() {
    // The endpoints point at a closed port: deliveries fail until the
    // endpoint's circuit opens (after the attempts already in flight).
    let stdout = run_bench(&["--events", "40", "--receiver-down"]);
    let failed = stdout
        .lines()
        .find_map(|line| line.strip_prefix("failed attempts"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or_else(|| panic!("no failed attempts count in:\n{stdout}"));
    assert!((1..=40).contains(&failed), "{stdout}");
}
