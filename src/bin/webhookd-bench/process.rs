//! The webhookd processes under test, and the CPU and memory they use.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// User + system clock ticks of a process, from /proc.
fn process_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(parse_stat(&stat)?.1)
}

/// User + system CPU seconds of a process, from /proc.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    Some(process_ticks(pid)? as f64 / TICKS_PER_SECOND)
}

/// What a webhookd thread does, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ThreadGroup {
    /// tokio's workers and blocking pool, and the main thread, which
    /// polls `block_on`'s future (and, with one runtime thread, every
    /// task): gRPC, HTTP, signing, scheduling.
    Runtime,
    /// sqlx's SQLite connection threads: reads, checkpoints and the
    /// store's rarer writes (and everything, on a database in memory).
    Sqlite,
    /// webhookd's SQLite writer thread: every write batch, from routing
    /// to commit, and every claim.
    SqliteWriter,
    /// The rest, and threads that ended during the run.
    Other,
}

impl ThreadGroup {
    fn of(name: &str) -> ThreadGroup {
        if name.starts_with("tokio-") {
            ThreadGroup::Runtime
        } else if name.starts_with("sqlx-sqlite") {
            ThreadGroup::Sqlite
        } else if name.starts_with("sqlite-writer") {
            ThreadGroup::SqliteWriter
        } else {
            ThreadGroup::Other
        }
    }

    fn label(self) -> &'static str {
        match self {
            ThreadGroup::Runtime => "tokio runtime",
            ThreadGroup::Sqlite => "SQLite statements",
            ThreadGroup::SqliteWriter => "SQLite writer",
            ThreadGroup::Other => "other",
        }
    }
}

/// The name and user + system clock ticks in the text of a process's or a
/// thread's stat file (/proc/<pid>/stat, /proc/<pid>/task/<tid>/stat). The
/// name is in parentheses and may itself hold spaces and parentheses, so the
/// fields are read after the last `)`.
fn parse_stat(stat: &str) -> Option<(&str, u64)> {
    let (head, rest) = stat.rsplit_once(") ")?;
    let name = head.split_once(" (")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((name, ticks))
}

/// Clock ticks of each live thread of the processes, by (pid, tid).
fn thread_ticks(pids: &[u32]) -> HashMap<(u32, u32), (ThreadGroup, u64)> {
    let mut threads = HashMap::new();
    for &pid in pids {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.filter_map(|task| task.ok()) {
            let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
                continue;
            };
            let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
            if let Some((name, ticks)) = parse_stat(&stat) {
                let group = if tid == pid {
                    ThreadGroup::Runtime
                } else {
                    ThreadGroup::of(name)
                };
                threads.insert((pid, tid), (group, ticks));
            }
        }
    }
    threads
}

/// Shares of the CPU time used between two readings, by thread group, in
/// per cent, largest first. Time the live threads do not account for
/// (threads that ended) counts as `Other`. `None` when no time was used.
fn thread_shares(
    start: &HashMap<(u32, u32), (ThreadGroup, u64)>,
    end: &HashMap<(u32, u32), (ThreadGroup, u64)>,
    total_ticks: u64,
) -> Option<Vec<(ThreadGroup, f64)>> {
    if total_ticks == 0 {
        return None;
    }
    let mut used: HashMap<ThreadGroup, u64> = HashMap::new();
    for (thread, (group, ticks)) in end {
        let before = start.get(thread).map_or(0, |(_, ticks)| *ticks);
        *used.entry(*group).or_default() += ticks.saturating_sub(before);
    }
    let accounted: u64 = used.values().sum();
    *used.entry(ThreadGroup::Other).or_default() += total_ticks.saturating_sub(accounted);
    let total = total_ticks.max(accounted) as f64;
    let mut shares: Vec<(ThreadGroup, f64)> = used
        .into_iter()
        .filter(|(_, ticks)| *ticks > 0)
        .map(|(group, ticks)| (group, ticks as f64 * 100.0 / total))
        .collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Some(shares)
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

/// The machine's CPU readings taken every `every` while a stage of a run
/// goes on, so that a stretch of it can be told apart from one the
/// hypervisor slowed.
pub struct HostSampler {
    samples: Arc<Mutex<Vec<(Instant, HostTicks)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl HostSampler {
    pub fn start(every: Duration) -> Self {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&samples);
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            loop {
                ticks.tick().await;
                if let Some(reading) = HostTicks::read() {
                    sink.lock().unwrap().push((Instant::now(), reading));
                }
            }
        });
        HostSampler { samples, task }
    }

    /// Stops sampling, with one last reading so that the last stretch
    /// ends at or after its end.
    pub fn stop(self) -> HostSamples {
        self.task.abort();
        let mut samples = std::mem::take(&mut *self.samples.lock().unwrap());
        if let Some(reading) = HostTicks::read() {
            samples.push((Instant::now(), reading));
        }
        HostSamples(samples)
    }
}

/// Readings of a `HostSampler`, oldest first.
pub struct HostSamples(Vec<(Instant, HostTicks)>);

impl HostSamples {
    /// The machine's shares from the last reading at or before `from` to
    /// the first at or after `to` (the nearest ones at either end).
    pub fn share_between(&self, from: Instant, to: Instant) -> Option<HostShare> {
        let readings = &self.0;
        let first = readings
            .iter()
            .rposition(|(at, _)| *at <= from)
            .unwrap_or(0);
        let last = readings
            .iter()
            .position(|(at, _)| *at >= to)
            .unwrap_or(readings.len().checked_sub(1)?);
        HostShare::between(readings.get(first)?.1, readings.get(last)?.1)
    }
}

/// CPU used by the processes under test between two readings.
pub struct CpuMeter {
    pids: Vec<u32>,
    postgres: bool,
    webhookd_start_ticks: u64,
    threads_start: HashMap<(u32, u32), (ThreadGroup, u64)>,
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
    /// webhookd's CPU time by what its threads do, in per cent, largest
    /// first; `None` when it used none.
    pub threads: Option<Vec<(ThreadGroup, f64)>>,
}

impl CpuMeter {
    pub fn start(pids: Vec<u32>, postgres: bool) -> Self {
        let webhookd_start_ticks = pids.iter().filter_map(|pid| process_ticks(*pid)).sum();
        let postgres_start = if postgres {
            postgres_cpu_seconds()
        } else {
            0.0
        };
        CpuMeter {
            threads_start: thread_ticks(&pids),
            pids,
            postgres,
            webhookd_start_ticks,
            postgres_start,
            host_start: HostTicks::read(),
        }
    }

    pub fn read(&self) -> CpuUsed {
        let threads = thread_ticks(&self.pids);
        let ticks: u64 = self.pids.iter().filter_map(|pid| process_ticks(*pid)).sum();
        let used_ticks = ticks.saturating_sub(self.webhookd_start_ticks);
        CpuUsed {
            threads: thread_shares(&self.threads_start, &threads, used_ticks),
            webhookd: used_ticks as f64 / TICKS_PER_SECOND,
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

    /// "tokio runtime 61 %, SQLite statements 35 %, other 4 %".
    pub fn describe_threads(&self) -> Option<String> {
        let shares = self.threads.as_ref()?;
        let parts: Vec<String> = shares
            .iter()
            .map(|(group, share)| format!("{} {share:.0} %", group.label()))
            .collect();
        Some(parts.join(", "))
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

    #[test]
    fn a_stretch_is_measured_between_the_readings_around_it() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let ticks = |busy, steal| HostTicks {
            busy,
            idle: 0,
            steal,
        };
        let samples = HostSamples(vec![
            (at(0), ticks(0, 0)),
            (at(100), ticks(100, 0)),
            (at(200), ticks(150, 50)),
            (at(300), ticks(150, 150)),
        ]);
        // 150..250 lies between the readings at 100 and 300.
        assert_eq!(
            samples.share_between(at(150), at(250)),
            Some(HostShare {
                busy: 25.0,
                steal: 75.0,
            })
        );
        // Beyond the readings, the nearest ones stand in.
        assert_eq!(
            samples.share_between(at(0), at(900)),
            Some(HostShare {
                busy: 50.0,
                steal: 50.0,
            })
        );
        assert_eq!(HostSamples(Vec::new()).share_between(at(0), at(1)), None);
    }

    #[test]
    fn a_name_and_ticks_come_from_a_stat_file() {
        let stat = "4242 (sqlx-sqlite-wor) S 4200 4200 4200 0 -1 4194368 \
                    15 0 0 0 731 96 0 0 20 0 9 0 1000 0 0";
        assert_eq!(parse_stat(stat), Some(("sqlx-sqlite-wor", 731 + 96)));
        // A name may hold spaces and parentheses of its own.
        let odd = "7 (a (b) c) R 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 0 0";
        assert_eq!(parse_stat(odd), Some(("a (b) c", 11)));
        assert_eq!(parse_stat("7 (short) R 1 2"), None);
        assert_eq!(parse_stat(""), None);
    }

    #[test]
    fn threads_are_grouped_by_their_names() {
        assert_eq!(ThreadGroup::of("tokio-rt-worker"), ThreadGroup::Runtime);
        assert_eq!(ThreadGroup::of("tokio-runtime-w"), ThreadGroup::Runtime);
        assert_eq!(ThreadGroup::of("sqlx-sqlite-wor"), ThreadGroup::Sqlite);
        assert_eq!(ThreadGroup::of("sqlite-writer"), ThreadGroup::SqliteWriter);
        assert_eq!(ThreadGroup::of("webhookd"), ThreadGroup::Other);
    }

    #[test]
    fn the_main_thread_counts_as_the_runtime_whatever_its_name() {
        let pid = std::process::id();
        let threads = thread_ticks(&[pid]);
        assert_eq!(threads[&(pid, pid)].0, ThreadGroup::Runtime);
        // This test runs on a thread of the harness, named after the test.
        let others: Vec<_> = threads.iter().filter(|((_, tid), _)| *tid != pid).collect();
        assert!(!others.is_empty());
        assert!(
            others
                .iter()
                .all(|(_, (group, _))| *group == ThreadGroup::Other)
        );
    }

    #[test]
    fn thread_shares_count_what_each_group_used_since_the_start() {
        use ThreadGroup::*;
        let start = HashMap::from([
            ((1, 10), (Runtime, 500)),
            ((1, 11), (Sqlite, 100)),
            // Ends before the second reading: its time is in the total only.
            ((1, 12), (Sqlite, 50)),
        ]);
        let end = HashMap::from([
            ((1, 10), (Runtime, 1_100)),
            ((1, 11), (Sqlite, 300)),
            // Started after the first reading: all its time counts.
            ((1, 13), (Sqlite, 100)),
        ]);
        // 600 + 200 + 100 by the live threads, 100 by the one that ended.
        assert_eq!(
            thread_shares(&start, &end, 1_000),
            Some(vec![(Runtime, 60.0), (Sqlite, 30.0), (Other, 10.0)])
        );
        assert_eq!(thread_shares(&start, &start, 0), None);
    }
}
