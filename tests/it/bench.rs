//! A tiny run of the benchmark harness, so it keeps working: its ledger
//! must balance and every signature must verify. (The real figures come
//! from release builds; see docs/benchmarks.md.)

use std::process::Command;

#[test]
fn the_benchmark_harness_balances_its_ledger() {
    let output = Command::new(env!("CARGO_BIN_EXE_webhookd-bench"))
        .args([
            "--webhookd",
            env!("CARGO_BIN_EXE_webhookd"),
            "--events",
            "300",
            "--fan-out",
            "2",
            "--concurrency",
            "16",
            "--preload-events",
            "1000",
        ])
        .output()
        .expect("webhookd-bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("ledger: missing 0, duplicates 0, bad signatures 0 (all 600 checked)"),
        "{stdout}"
    );
}

#[test]
fn the_backlog_scenario_drains_everything_it_held() {
    let output = Command::new(env!("CARGO_BIN_EXE_webhookd-bench"))
        .args([
            "--webhookd",
            env!("CARGO_BIN_EXE_webhookd"),
            "--events",
            "400",
            "--backlog",
        ])
        .output()
        .expect("webhookd-bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "400 deliveries pending before the endpoints are enabled",
        "backlog drain by stage",
        "µs per delivery",
        "ledger: missing 0, duplicates 0, bad signatures 0 (all 400 checked)",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in:\n{stdout}");
    }
}
