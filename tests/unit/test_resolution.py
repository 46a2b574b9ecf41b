"""Tests for dh_venv.installers.resolution: when an unchanged pinned set is installed offline."""

from __future__ import annotations

import os
from pathlib import Path

from dh_venv.inputs.values import Inputs, Sources
from dh_venv.installers import resolution
from dh_venv.installers.plan import Step, plan

PY = os.path.realpath("/usr/bin/python3")


def files(root: Path) -> Path:
    (root / "req").mkdir(parents=True)
    (root / "requirements.txt").write_text(
        "# pins\n-r req/base.txt\n--constraint req/c.txt\nflask==3.0.3 ; python_version >= '3.8'  # web\n"
        "Jinja2[i18n]==3.1.4 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\nrequests>=2\nurllib3==2.*\n"
    )
    (root / "req/base.txt").write_text("attrs===24.2.0\n")
    (root / "req/c.txt").write_text("Markup_Safe == 2.1.5\n")
    return root / "requirements.txt"


def test_pins_follow_nested_files_and_skip_what_is_not_exact(tmp_path: Path) -> None:
    step = Step("x", ("six==1.16.0", "/w/src"), requirement_files=(files(tmp_path),))
    assert resolution.pins([step]) == {
        "flask": "3.0.3",
        "jinja2": "3.1.4",
        "attrs": "24.2.0",
        "markup-safe": "2.1.5",
        "six": "1.16.0",
    }


def venv_with(root: Path, dists: dict[str, str]) -> Path:
    venv = root / "venv"
    if not (venv / "bin").exists():
        (venv / "bin").mkdir(parents=True)
        (venv / "bin/python").symlink_to(PY)
    for name, version in dists.items():
        info = venv / f"lib/python3/site-packages/{name}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Name: {name}\nVersion: {version}\n")
    return venv


def test_fully_pinned_only_when_every_installed_distribution_is_pinned_to_its_version(tmp_path: Path) -> None:
    steps = [Step("x", requirement_files=(files(tmp_path),))]
    venv = venv_with(tmp_path, {"flask": "3.0.3", "attrs": "24.2.0", "app": "1.0", "pip": "24.0"})
    assert resolution.fully_pinned(venv, steps, before={"pip"}, project="app")
    assert not resolution.fully_pinned(venv, steps, before=set(), project="app")  # pip: not pinned
    venv_with(tmp_path / "other", {"flask": "3.0.3", "requests": "2.32.3"})
    assert not resolution.fully_pinned(tmp_path / "other/venv", steps, before=set(), project=None)
    venv_with(tmp_path / "newer", {"flask": "3.1.0"})
    assert not resolution.fully_pinned(tmp_path / "newer/venv", steps, before=set(), project=None)


def test_the_key_follows_the_files_not_the_build_directory(tmp_path: Path) -> None:
    def key(root: Path) -> str:
        work = root / "debian/.debhelper/dh_venv/pkg"
        wanted = plan(Inputs(Sources(), requirement_files=(root / "requirements.txt",)), work)
        return resolution.resolution_key(wanted, wanted.steps, venv_with(root, {}), "uv 0.9.7")

    files(tmp_path / "a")
    files(tmp_path / "b")
    first = key(tmp_path / "a")
    assert first and key(tmp_path / "b") == first
    (tmp_path / "b/req/c.txt").write_text("Markup_Safe == 2.1.4\n")  # a nested file changed
    assert key(tmp_path / "b") != first
    assert resolution.resolution_key(plan(Inputs(Sources()), tmp_path), (), tmp_path / "none", "uv") == ""


def test_remember_and_known(tmp_path: Path) -> None:
    venv = venv_with(tmp_path, {"flask": "3.0.3"})
    assert not resolution.known(tmp_path / "cache", "k")
    resolution.remember(tmp_path / "cache", "k", venv)
    assert resolution.known(tmp_path / "cache", "k")
    assert (tmp_path / "cache/resolutions/k").read_text().count('"flask": "3.0.3"') == 1
    assert [p.name for p in (tmp_path / "cache/resolutions").iterdir()] == ["k"]
