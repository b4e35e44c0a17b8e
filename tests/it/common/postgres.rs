//! PostgreSQL for tests: the shared server named by
//! `WEBHOOKD_TEST_POSTGRES_URL` (`scripts/test.sh` starts a throwaway one),
//! a fresh database per test, and private clusters for tests that stop the
//! server.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sqlx::Connection;

/// The shared test server, or `None` when PostgreSQL tests cannot run here.
/// Under CI a missing server is a failure, never a skip.
pub fn server_url() -> Option<String> {
    match std::env::var("WEBHOOKD_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but WEBHOOKD_TEST_POSTGRES_URL is not set: run the tests through scripts/test.sh"
            )
        }
        _ => {
            eprintln!(
                "skipping a PostgreSQL test: WEBHOOKD_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"
            );
            None
        }
    }
}

/// Test databases are named after a UUIDv7, which carries their creation time.
const DATABASE_PREFIX: &str = "webhookd_test_";

/// How old a test database must be before a later run drops it: older than
/// any run of the suite, so no running test loses its database.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Set once this process has dropped the stale databases.
static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// Creates an empty database on `server_url` and returns its URL.
pub async fn fresh_database(server_url: &str) -> String {
    let name = format!("{DATABASE_PREFIX}{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(server_url)
        .await
        .expect("the PostgreSQL test server accepts connections");
    SWEPT.get_or_init(|| drop_stale_databases(&mut admin)).await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut url = url::Url::parse(server_url).unwrap();
    url.set_path(&name);
    url.to_string()
}

/// Drops the databases that earlier runs left on the shared server. A test
/// does not drop its own, because the daemon it started may still hold
/// connections when it ends; without this sweep a developer's long-lived
/// server fills its disk run after run.
async fn drop_stale_databases(admin: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
            .bind(DATABASE_PREFIX)
            .fetch_all(&mut *admin)
            .await
            .expect("the test server lists its databases");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    for name in names {
        let created = uuid::Uuid::parse_str(&name[DATABASE_PREFIX.len()..])
            .ok()
            .and_then(|id| id.get_timestamp())
            .map(|timestamp| Duration::from_secs(timestamp.to_unix().0));
        if created.is_some_and(|created| now.saturating_sub(created) > STALE_AFTER) {
            // Best effort: a database still in use elsewhere stays.
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(&mut *admin)
                .await;
        }
    }
}

/// A PostgreSQL cluster of its own, for a test that stops and starts it.
pub struct PrivateCluster {
    bin: PathBuf,
    data: tempfile::TempDir,
    pub port: u16,
}

impl PrivateCluster {
    pub fn start() -> PrivateCluster {
        let bin = bin_dir();
        let data = tempfile::Builder::new()
            .prefix("webhookd-pg-")
            .tempdir()
            .unwrap();
        as_postgres_owner(data.path());
        let status = pg_command(&bin, "initdb")
            .args(["-A", "trust", "-U", "postgres", "-D"])
            .arg(data.path().join("data"))
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        let port = free_port();
        let cluster = PrivateCluster { bin, data, port };
        cluster.pg_ctl_start();
        cluster
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server the hard way, like a crash.
    pub fn stop_immediate(&self) {
        self.pg_ctl(&["stop", "-m", "immediate", "-w"]);
    }

    pub fn pg_ctl_start(&self) {
        let options = format!(
            "-c port={} -c listen_addresses=127.0.0.1 -c unix_socket_directories=",
            self.port
        );
        self.pg_ctl(&["start", "-w", "-o", &options, "-l"]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.data.path().join("data");
        let mut command = pg_command(&self.bin, "pg_ctl");
        command.arg("-D").arg(&data);
        for arg in args {
            command.arg(arg);
        }
        if args.last() == Some(&"-l") {
            command.arg(self.data.path().join("postgres.log"));
        }
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "pg_ctl {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let data = self.data.path().join("data");
        let _ = pg_command(&self.bin, "pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["stop", "-m", "immediate"])
            .output();
    }
}

/// Where `initdb` and `pg_ctl` live: `WEBHOOKD_TEST_PG_BIN`, else the newest
/// Debian install.
fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("WEBHOOKD_TEST_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries are installed (scripts/test.sh installs them)")
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("pg_ctl").is_file())
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL version with pg_ctl")
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// PostgreSQL refuses to run as root: run its tools as `postgres` then.
fn pg_command(bin: &Path, tool: &str) -> Command {
    if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        command
    } else {
        Command::new(bin.join(tool))
    }
}

fn as_postgres_owner(dir: &Path) {
    if running_as_root() {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Waits until a server at `url` accepts connections.
pub async fn wait_until_accepting(url: &str, within: Duration) {
    super::eventually(within, || async {
        sqlx::PgConnection::connect(url).await.is_ok()
    })
    .await
    .unwrap_or_else(|()| panic!("PostgreSQL did not come up at {url}"));
}
