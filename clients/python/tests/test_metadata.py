"""What the package publishes: its version comes from clients/VERSION, its dependency
floors are the versions test.sh tests, and its README links work off GitHub."""

import re
from pathlib import Path

import tomllib

import webhookd

PACKAGE = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))


def test_version_is_the_one_of_clients_version() -> None:
    assert webhookd.__version__ == (PACKAGE.parent / "VERSION").read_text(encoding="utf-8").strip()


def test_dependency_floors_are_the_tested_ones() -> None:
    floors = dict(
        re.findall(r"^([a-z0-9-]+)==(\S+)$", (PACKAGE / "requirements-floor.txt").read_text(), re.M)
    )
    for requirement in PYPROJECT["project"]["dependencies"]:
        name, floor = re.match(r"([a-z0-9-]+)>=([^,]+)", requirement).groups()  # type: ignore[union-attr]
        assert floors[name] == floor, f"{requirement} is tested at {name}=={floors[name]}"


def test_license_and_urls() -> None:
    assert (PACKAGE / "LICENSE").read_text() == (PACKAGE.parents[1] / "LICENSE").read_text()
    assert PYPROJECT["project"]["urls"]["Repository"] == "https://github.com/webhookd/webhookd"
    assert PYPROJECT["project"]["authors"] == [{"name": "The webhookd Authors"}]


def test_readme_has_no_relative_links() -> None:
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)  # link targets have no spaces
    assert targets and all(t.startswith(("https://", "#")) for t in targets), targets
