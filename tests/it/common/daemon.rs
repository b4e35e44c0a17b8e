//! `webhookd serve` as a real process.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tonic::transport::Channel;
use webhookd::api::proto::webhook_service_client::WebhookServiceClient;

use super::TestSettings;

pub const BINARY: &str = env!("CARGO_BIN_EXE_webhookd");

/// A running `webhookd serve`, killed when dropped.
pub struct Daemon {
    child: Child,
    pub grpc_addr: SocketAddr,
    /// The id this process records with its leases and attempts.
    pub instance_id: String,
    /// Every line it has logged so far.
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Daemon {
    /// Starts the binary and waits for its "listening" log line.
    pub fn start(config_path: &Path) -> Daemon {
        Self::start_logging(config_path, "info")
    }

    /// Like `start`, logging at `level` (`RUST_LOG` syntax).
    pub fn start_logging(config_path: &Path, level: &str) -> Daemon {
        let mut command = Command::new(BINARY);
        command
            .args(["serve", "--log-format", "json", "--config"])
            .arg(config_path);
        Self::spawn(command, level)
    }

    /// Like `start`, with soft and hard limits of `files` open files.
    pub fn start_with_file_limit(config_path: &Path, files: u32) -> Daemon {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
            .arg(BINARY)
            .args(["serve", "--log-format", "json", "--config"])
            .arg(config_path);
        Self::spawn(command, "info")
    }

    fn spawn(mut command: Command, level: &str) -> Daemon {
        let mut child = command
            .env("RUST_LOG", level)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the webhookd binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (lines, listening) = mpsc::channel::<String>();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // Kept before it is announced: whoever waits for the
                // listening line finds it in the log too.
                kept.lock().unwrap().push(line.clone());
                if line.contains("webhookd listening") {
                    let _ = lines.send(line);
                }
            }
        });
        let line = listening
            .recv_timeout(Duration::from_secs(30))
            .expect("webhookd logs its listening addresses");
        let event: serde_json::Value = serde_json::from_str(&line).expect("json log line");
        let grpc_addr = event["grpc_addr"].as_str().unwrap().parse().unwrap();
        let instance_id = event["instance_id"].as_str().unwrap().to_owned();
        Daemon {
            child,
            grpc_addr,
            instance_id,
            log,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything logged so far, one line per entry.
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.grpc_addr))
            .unwrap()
            .connect()
            .await
            .unwrap()
    }

    pub async fn client(&self) -> WebhookServiceClient<Channel> {
        WebhookServiceClient::new(self.channel().await)
    }

    pub fn sigkill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends SIGTERM and waits up to 10 s for the exit.
    pub fn sigterm_and_wait(mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().unwrap();
        panic!("webhookd did not exit within 10 s of SIGTERM");
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `settings` for `database_url` to `dir/config.yaml`.
pub fn write_config(dir: &Path, settings: &TestSettings, database_url: &str) -> PathBuf {
    let path = dir.join("config.yaml");
    settings.config_tree(database_url).write(&path);
    path
}
