"""The X libraries Qt needs: `doctor` names a missing one and its Debian package; bootstrap installs them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from reach_studio import doctor

ROOT = Path(__file__).resolve().parents[2]


def _doctor(env: dict[str, str]) -> dict[str, dict]:
    out = subprocess.run(
        [sys.executable, "-m", "reach_studio", "doctor", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return {r["check"]: r for r in json.loads(out.stdout)}


def _fake_bin(folder: Path, name: str, script: str) -> None:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_every_library_of_the_xcb_plugin_has_its_debian_package_listed():
    listed = {s for _package, _role, sonames in doctor.system_packages() for s in sonames}
    # the two a fresh desktop lacks most often (Qt 6.5+), and the X basics
    assert {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxkbcommon-x11.so.0", "libxcb.so.1"} <= listed
    assert doctor.package_for("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert doctor.package_for("libpulse.so.0") == "libpulse0"
    plugin = doctor._qt_plugins_dir() / "platforms" / "libqxcb.so"
    if not sys.platform.startswith("linux") or not shutil.which("ldd"):
        pytest.skip("ldd on Linux only")
    ldd = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout
    # libraries the plugin resolves from the system (not bundled with PySide6) and that a minimal Debian
    # lacks must all be listed; ldd is recursive, so allow the ones every Debian has and those pulled in
    # by a listed package
    system = {
        line.split()[0]
        for line in ldd.splitlines()
        if "=>" in line and "PySide6" not in line and "not found" not in line
    }
    direct_x = {s for s in system if s.startswith(("libxcb", "libX11", "libxkbcommon", "libEGL", "libGL."))}
    assert direct_x <= listed, f"not in system_packages.txt: {sorted(direct_x - listed)}"


def test_doctor_names_the_missing_xcb_library_and_its_package(tmp_path):
    # an `ldd` that reports what a fresh Debian without libxcb-icccm4 reports
    _fake_bin(
        tmp_path / "bin",
        "ldd",
        'echo "\tlibxcb-icccm.so.4 => not found"\necho "\tlibc.so.6 => /lib/libc.so.6"\n',
    )
    env = dict(os.environ, PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    env.pop("DISPLAY", None)
    result = _doctor(env)["qt-xcb"]
    assert result["ok"] is False
    assert "libxcb-icccm.so.4" in result["detail"] and "libxcb-icccm4" in result["detail"]
    assert result["packages"] == ["libxcb-icccm4"]
    text = subprocess.run(
        [sys.executable, "-m", "reach_studio", "doctor"], env=env, capture_output=True, text=True, check=False
    ).stdout
    assert "sudo apt-get install --no-install-recommends libxcb-icccm4" in text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11")
def test_doctor_loads_the_xcb_plugin_on_a_real_display(xserver):
    result = _doctor(dict(os.environ, DISPLAY=xserver.display))["qt-xcb"]
    assert result["ok"] is True, result
    assert f"DISPLAY={xserver.display}" in result["detail"] and "1280x800" in result["detail"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11")
def test_doctor_says_when_no_x_server_answers():
    result = _doctor(dict(os.environ, DISPLAY=":4242"))["qt-xcb"]
    assert result["ok"] is False
    assert "no X server answers on DISPLAY=:4242" in result["detail"]
    assert "packages" not in result  # Qt's "libxcb-cursor0 is needed" is not taken at its word


def _bootstrap_copy(tmp_path: Path) -> Path:
    """bootstrap.sh in a copy of the checkout whose .venv is already installed (only the apt part runs)."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / "reach_studio").mkdir()
    shutil.copy(ROOT / "scripts" / "bootstrap.sh", repo / "scripts")
    shutil.copy(ROOT / "reach_studio" / "system_packages.txt", repo / "reach_studio")
    shutil.copy(ROOT / "pyproject.toml", repo)
    (repo / ".venv").mkdir()
    digest = hashlib.sha1((repo / "pyproject.toml").read_bytes()).hexdigest()[:12]
    (repo / ".venv" / f".installed-{digest}").touch()
    return repo


def _run_bootstrap(repo: Path, bin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    return subprocess.run(
        ["bash", str(repo / "scripts" / "bootstrap.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _installed_only(bin_dir: Path, packages: list[str]) -> None:
    """A dpkg-query for a machine where only `packages` are installed."""
    lines = "".join(f'    {p}) echo "{p} install ok installed";;\n' for p in packages)
    _fake_bin(
        bin_dir,
        "dpkg-query",
        f'shift 2\nfor p in "$@"; do\n  case "$p" in\n{lines}    *) ;;\n  esac\ndone\n',
    )


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash")
def test_bootstrap_not_root_prints_the_one_apt_get_line(tmp_path):
    repo, bin_dir = _bootstrap_copy(tmp_path), tmp_path / "bin"
    _installed_only(bin_dir, ["libxcb1", "libx11-6"])
    _fake_bin(bin_dir, "id", "echo 1000\n")
    out = _run_bootstrap(repo, bin_dir)
    assert out.returncode == 0, out.stderr
    apt_lines = [line for line in out.stderr.splitlines() if "apt-get install" in line]
    assert len(apt_lines) == 1
    wanted = apt_lines[0].split()
    assert "libxcb-cursor0" in wanted and "libxcb-icccm4" in wanted and "libpulse0" in wanted
    assert "libxcb1" not in wanted  # already installed
    assert "xvfb" not in wanted and "postgresql" not in wanted  # only for the tests (--test)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash")
def test_bootstrap_as_root_installs_only_what_is_missing_waiting_for_the_apt_lock(tmp_path):
    repo, bin_dir = _bootstrap_copy(tmp_path), tmp_path / "bin"
    everything = [p for p, _role, _s in doctor.system_packages()]
    _installed_only(bin_dir, [p for p in everything if p not in ("libxcb-cursor0", "xvfb")])
    calls = tmp_path / "calls.txt"
    _fake_bin(bin_dir, "id", "echo 0\n")
    _fake_bin(bin_dir, "apt-get", f'echo "apt-get $*" >> {calls}\n')
    _fake_bin(bin_dir, "flock", f'echo "flock $1" >> {calls}\nshift\nexec "$@"\n')
    out = _run_bootstrap(repo, bin_dir, "--test")
    assert out.returncode == 0, out.stderr
    log = calls.read_text().splitlines()
    installs = [line for line in log if " install " in line]
    assert installs == [
        "apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends libxcb-cursor0 xvfb"
    ]
    assert "flock /tmp/apt.lock" in log
    # everything installed: a second run touches nothing
    _installed_only(bin_dir, everything)
    calls.unlink()
    assert _run_bootstrap(repo, bin_dir, "--test").returncode == 0
    assert not calls.exists()
