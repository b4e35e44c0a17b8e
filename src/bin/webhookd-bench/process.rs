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

/// The whole machine's CPU time by kind, in clock ticks summed over all
/// cores, from the `cpu` line of /proc/stat.
#[derive(Clone, Copy, Debug, PartialEq)]
struct HostTicks {
    busy: u64,
    idle: u64,
    /// Time a virtual machine was ready to run but the hypervisor ran
    /// another guest: on a shared host it slows every figure of a run.
    steal: u64,
}

impl HostTicks {
    fn read() -> Option<HostTicks> {
        parse_host_ticks(&std::fs::read_to_string("/proc/stat").ok()?)
    }
}

/// Fields of the `cpu` line: user nice system idle iowait irq softirq
/// steal (guest time is already counted in user and nice).
fn parse_host_ticks(stat: &str) -> Option<HostTicks> {
    let fields = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks = fields
        .split_whitespace()
        .take(8)
        .map(str::parse::<u64>)
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    let [user, nice, system, idle, iowait, irq, softirq, steal] = ticks[..] else {
        return None;
    };
    Some(HostTicks {
        busy: user + nice + system + irq + softirq,
        idle: idle + iowait,
        steal,
    })
}

/// Shares of the machine's CPU time between two readings, in per cent.
#[derive(Debug, PartialEq)]
pub struct HostShare {
    pub busy: f64,
    pub steal: f64,
}

impl HostShare {
    fn between(start: HostTicks, end: HostTicks) -> Option<HostShare> {
        let busy = end.busy.checked_sub(start.busy)? as f64;
        let idle = end.idle.checked_sub(start.idle)? as f64;
        let steal = end.steal.checked_sub(start.steal)? as f64;
        let total = busy + idle + steal;
        (total > 0.0).then(|| HostShare {
            busy: busy * 100.0 / total,
            steal: steal * 100.0 / total,
        })
    }
}

/// CPU used by the processes under test between two readings.
pub struct CpuMeter {
    pids: Vec<u32>,
    postgres: bool,
    webhookd_start: f64,
    postgres_start: f64,
    host_start: Option<HostTicks>,
}

/// CPU seconds since the meter started.
pub struct CpuUsed {
    pub webhookd: f64,
    /// `None` for SQLite runs.
    pub postgres: Option<f64>,
    /// `None` where /proc/stat cannot be read.
    pub host: Option<HostShare>,
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
            host_start: HostTicks::read(),
        }
    }

    pub fn read(&self) -> CpuUsed {
        let webhookd: f64 = self.pids.iter().filter_map(|pid| cpu_seconds(*pid)).sum();
        CpuUsed {
            webhookd: webhookd - self.webhookd_start,
            postgres: self
                .postgres
                .then(|| postgres_cpu_seconds() - self.postgres_start),
            host: self
                .host_start
                .zip(HostTicks::read())
                .and_then(|(start, end)| HostShare::between(start, end)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_ticks_come_from_the_cpu_line_of_proc_stat() {
        let stat = "cpu  626 5 181 828 28 3 46 477 12 0\ncpu0 313 2 90 414 14 1 23 238 6 0\n";
        assert_eq!(
            parse_host_ticks(stat),
            Some(HostTicks {
                busy: 626 + 5 + 181 + 3 + 46,
                idle: 828 + 28,
                steal: 477,
            })
        );
        // Kernels before 2.6.11 had no steal column.
        assert_eq!(parse_host_ticks("cpu  1 2 3 4 5 6 7\n"), None);
        assert_eq!(parse_host_ticks("intr 1 2 3 4 5 6 7 8\n"), None);
    }

    #[test]
    fn host_shares_are_of_all_the_time_that_passed() {
        let start = HostTicks {
            busy: 1_000,
            idle: 5_000,
            steal: 100,
        };
        let end = HostTicks {
            busy: 1_600,
            idle: 5_200,
            steal: 300,
        };
        assert_eq!(
            HostShare::between(start, end),
            Some(HostShare {
                busy: 60.0,
                steal: 20.0,
            })
        );
        assert_eq!(HostShare::between(start, start), None);
        assert_eq!(HostShare::between(end, start), None);
    }
}
