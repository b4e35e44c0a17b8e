"""Runs a private webhookd from $WEBHOOKD_BIN for the tests that need one of their own:
API keys (the harness's webhookd must stay open) and restarts."""

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

START_TIMEOUT_SECONDS = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class WebhookdServer:
    """One webhookd process on a fixed port and SQLite file, which survive restarts."""

    def __init__(self, workdir: Path, config: str) -> None:
        self.binary = os.environ["WEBHOOKD_BIN"]
        self.workdir = workdir
        self.config_path = workdir / "config.yaml"
        self.config_path.write_text(config, encoding="utf-8")
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._starts = 0

    def start(self) -> None:
        """Starts webhookd and waits until it serves."""
        self._starts += 1
        log_path = self.workdir / f"webhookd-{self._starts}.log"
        with log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    self.binary,
                    "serve",
                    "--config",
                    str(self.config_path),
                    "--database-url",
                    f"sqlite://{self.workdir / 'webhookd.db'}",
                    "--grpc-addr",
                    self.address,
                    "--http-addr",
                    "127.0.0.1:0",
                    "--log-format",
                    "json",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"webhookd exited: {log_path.read_text(errors='replace')}")
            if _listening(log_path):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"webhookd did not start: {log_path.read_text(errors='replace')}")

    def stop(self) -> None:
        """Stops webhookd (SIGTERM, then SIGKILL) and waits for it to exit."""
        if self._process is None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None


def _listening(log_path: Path) -> bool:
    for line in log_path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and "webhookd listening" in (
            entry.get("message"),
            entry.get("fields", {}).get("message"),
        ):
            return True
    return False
