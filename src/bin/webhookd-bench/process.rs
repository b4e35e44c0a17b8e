//! The webhookd processes under test, and the CPU and memory they use.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

/// A webhookd process, killed when dropped.
pub struct Daemon {
    child: Child,
    /// Attempts it logged as failed: a retried attempt delays its delivery
    /// by the retry delay, which the latency figures alone do not tell.
    failed_attempts: Arc<AtomicU64>,
}

impl Daemon {
    /// Starts `binary serve` with `config`; returns once it listens.
    pub fn start(binary: &Path, config: &str, dir: &Path) -> Result<(Daemon, SocketAddr)> {
        let path = dir.join("config.yaml");
        std::fs::write(&path, config)?;
        let mut child = Command::new(binary)
            .args(["serve", "--log-format", "json", "--config"])
            .arg(&path)
            .env("RUST_LOG", "warn,webhookd::app=info")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("failed to start {}", binary.display()))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let (sender, receiver) = std::sync::mpsc::channel();
        let failed_attempts = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&failed_attempts);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("webhookd listening") {
                    let _ = sender.send(line);
                } else if line.contains("\"delivery failed") {
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let daemon = Daemon {
            child,
            failed_attempts,
        };
        let line = receiver
            .recv_timeout(Duration::from_secs(30))
            .context("webhookd did not start")?;
        let event: serde_json::Value = serde_json::from_str(&line)?;
        let addr = event["grpc_addr"]
            .as_str()
            .context("no grpc_addr in the listening line")?
            .parse()?;
        Ok((daemon, addr))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Attempts logged as failed so far.
    pub fn failed_attempts(&self) -> u64 {
        self.failed_attempts.load(Ordering::Relaxed)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// User + system CPU seconds of a process, from /proc.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
    let ticks = fields[11].parse::<f64>().ok()? + fields[12].parse::<f64>().ok()?;
    Some(ticks / TICKS_PER_SECOND)
}

/// CPU seconds of all `postgres` processes of this machine (the server and
/// its backends), for PostgreSQL runs.
pub fn postgres_cpu_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "postgres")
        })
        .filter_map(cpu_seconds)
        .sum()
}

pub fn peak_rss_mb(pid: u32) -> Option<f64> {
    status_mb(pid, "VmHWM:")
}

pub fn rss_mb(pid: u32) -> Option<f64> {
    status_mb(pid, "VmRSS:")
}

fn status_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU used by the processes under test between two readings.
pub struct CpuMeter {
    pids: Vec<u32>,
    postgres: bool,
    webhookd_start: f64,
    postgres_start: f64,
}

/// CPU seconds since the meter started.
pub struct CpuUsed {
    pub webhookd: f64,
    /// `None` for SQLite runs.
    pub postgres: Option<f64>,
}

impl CpuMeter {
    pub fn start(pids: Vec<u32>, postgres: bool) -> Self {
        let webhookd_start = pids.iter().filter_map(|pid| cpu_seconds(*pid)).sum();
        let postgres_start = if postgres {
            postgres_cpu_seconds()
        } else {
            0.0
        };
        CpuMeter {
            pids,
            postgres,
            webhookd_start,
            postgres_start,
        }
    }

    pub fn read(&self) -> CpuUsed {
        let webhookd: f64 = self.pids.iter().filter_map(|pid| cpu_seconds(*pid)).sum();
        CpuUsed {
            webhookd: webhookd - self.webhookd_start,
            postgres: self
                .postgres
                .then(|| postgres_cpu_seconds() - self.postgres_start),
        }
    }
}

impl CpuUsed {
    /// Microseconds of CPU per delivery: webhookd plus PostgreSQL.
    pub fn per_delivery_us(&self, deliveries: usize) -> f64 {
        (self.webhookd + self.postgres.unwrap_or(0.0)) * 1e6 / deliveries.max(1) as f64
    }

    /// "webhookd 1.20 s + PostgreSQL 0.40 s = 160 µs per delivery", for
    /// `count` deliveries.
    pub fn describe(&self, count: usize) -> String {
        let mut text = format!("webhookd {:.2} s", self.webhookd);
        if let Some(postgres) = self.postgres {
            text.push_str(&format!(" + PostgreSQL {postgres:.2} s"));
        }
        format!(
            "{text} = {:.0} µs per delivery",
            self.per_delivery_us(count)
        )
    }
}
