"""Installs the package as users will, into fresh venvs outside the repository (from its
path, and from the sdist and wheel it builds), then calls the harness webhookd with it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import webhookd

pytestmark = pytest.mark.skipif(
    not os.environ.get("WEBHOOKD_ADDR"), reason="WEBHOOKD_ADDR is not set (run clients/test.sh)"
)

PACKAGE = Path(__file__).resolve().parents[1]
PROGRAM = """
import sys
import webhookd

with webhookd.Client(sys.argv[1]) as client:
    endpoints = client.list_endpoints(page_size=1000).items
print(webhookd.__version__, webhookd.__file__, " ".join(sorted(e.id for e in endpoints)))
"""


def _run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _venv(path: Path) -> Path:
    _run(sys.executable, "-m", "venv", path, cwd=path.parent)
    return path / "bin" / "python"


def _check(python: Path, workdir: Path) -> None:
    """Runs the program with the installed SDK, from a directory outside the repository."""
    (workdir / "program.py").write_text(PROGRAM, encoding="utf-8")
    version, location, endpoints = _run(
        python, "program.py", os.environ["WEBHOOKD_ADDR"], cwd=workdir
    ).split(" ", 2)
    assert version == webhookd.__version__
    assert Path(location).is_relative_to(python.parents[1]), f"imported from {location}"
    assert os.environ["WEBHOOKD_ENDPOINT_ID"] in endpoints.split()


def test_pip_install_from_the_path(tmp_path: Path) -> None:
    python = _venv(tmp_path / "venv")
    _run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        PACKAGE,
        cwd=tmp_path,
    )
    _check(python, tmp_path)


def test_pip_install_of_the_built_wheel_and_sdist(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run(
        sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", dist, PACKAGE, cwd=tmp_path
    )
    (wheel,) = dist.glob("webhookd-*.whl")
    (sdist,) = dist.glob("webhookd-*.tar.gz")
    python = _venv(tmp_path / "venv")
    pip = (python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check")
    _run(*pip, wheel, cwd=tmp_path)
    _check(python, tmp_path)
    _run(*pip, "--force-reinstall", "--no-deps", sdist, cwd=tmp_path)
    _check(python, tmp_path)
    listing = _run(python, "-m", "pip", "show", "--files", "webhookd", cwd=tmp_path)
    for shipped in ("webhookd/py.typed", "webhookd/_proto/webhook/v1/webhook_pb2.pyi", "LICENSE"):
        assert shipped in listing, f"{shipped} is not installed"
