"""Makes the Linux one-folder build smaller without changing what runs (the .deb's target is <= 250 MB).

1. Libraries PyInstaller copied from this Debian system, whose package the .deb depends on (directly or
   through its Depends' Depends), are removed: dpkg installs that package on the target and the loader
   finds the library there. A copy goes only when it is byte-identical to the file its package installed.
2. Shared objects that still carry symbols are stripped (Python's libpython and lib-dynload: 22 -> 6 MB,
   cryptography, pycryptodome, regex...), except in wheels' *.libs folders and files with a RUNPATH other
   than Python's own: auditwheel rewrote those with patchelf, and strip makes them unloadable ("ELF load
   command address/offset not page-aligned", numpy's OpenBLAS). A stripped copy replaces the file only
   after it loaded (dlopen) here.

Idempotent. Run by packaging/build.sh:  python packaging/slim_linux.py APP_DIR DEBIAN_PACKAGE...
"""

from __future__ import annotations

import ctypes
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout


def depends_closure(packages: list[str]) -> set[str]:
    """Every package apt installs for `packages` (Depends and Pre-Depends, recursively)."""
    out = _run(
        "apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
        "--no-breaks", "--no-replaces", "--no-enhances", *packages,
    )  # fmt: skip
    return {
        line.split(":")[0] for line in out.splitlines() if line and not line[0].isspace() and "<" not in line
    }


def system_paths() -> dict[str, str]:
    """soname -> path, from the loader's cache (ldconfig -p)."""
    found: dict[str, str] = {}
    for line in _run("/sbin/ldconfig", "-p").splitlines()[1:]:
        name, _, path = line.strip().partition(" => ")
        found.setdefault(name.split(" (")[0], path)  # the first is this architecture's (a copy is compared)
    return found


def owner(path: str) -> str | None:
    for candidate in dict.fromkeys([path, os.path.realpath(path)]):
        out = _run("dpkg-query", "-S", candidate)
        if out and "diversion" not in out.splitlines()[0]:
            return out.splitlines()[0].split(":")[0]
    return None


def drop_system_libraries(internal: Path, closure: set[str]) -> list[tuple[str, str, int]]:
    paths = system_paths()
    dropped = []
    for lib in sorted(internal.glob("*.so*")):
        system = paths.get(lib.name)
        if lib.is_symlink() or not system or not Path(system).exists():
            continue
        package = owner(system)
        if package in closure and filecmp.cmp(lib, os.path.realpath(system), shallow=False):
            dropped.append((lib.name, package, lib.stat().st_size))
            lib.unlink()
    return dropped


def _has_symbols(path: Path) -> bool:
    return " .symtab " in _run("readelf", "-S", "-W", str(path))


def _runpath(path: Path) -> str:
    return "".join(line for line in _run("readelf", "-d", str(path)).splitlines() if "PATH)" in line)


def strip_binaries(internal: Path) -> tuple[int, list[str]]:
    saved, refused = 0, []
    python_own = ("lib-dynload/", "libpython3")
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(internal.rglob("*.so*")):
            rel = str(path.relative_to(internal))
            if path.is_symlink() or not path.is_file() or ".libs/" in rel or not _has_symbols(path):
                continue
            if _runpath(path) and not any(p in rel for p in python_own):
                continue
            trial = Path(tmp) / path.name
            if subprocess.run(
                ["strip", "--strip-unneeded", "-o", str(trial), str(path)], check=False
            ).returncode:
                continue
            try:
                ctypes.CDLL(str(trial))
            except OSError as exc:
                refused.append(f"{rel}: {exc}")
                continue
            saved += path.stat().st_size - trial.stat().st_size
            shutil.copymode(path, trial)
            shutil.move(trial, path)
    return saved, refused


def main(argv: list[str]) -> int:
    app, packages = Path(argv[0]), argv[1:]
    internal = app / "_internal"
    closure = depends_closure(packages) if shutil.which("apt-cache") and packages else set()
    dropped = drop_system_libraries(internal, closure) if closure else []
    mb = sum(size for *_, size in dropped) / 1e6
    print(f"slim: {len(dropped)} system libraries left to the .deb's Depends ({mb:.1f} MB), e.g. "
          + ", ".join(f"{name} ({package})" for name, package, _ in dropped[:6]))  # fmt: skip
    saved, refused = strip_binaries(internal)
    print(f"slim: stripped symbols: {saved / 1e6:.1f} MB")
    for line in refused:
        print(f"slim: kept unstripped (the stripped copy did not load): {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
