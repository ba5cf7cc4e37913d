"""packaging/slim_linux.py: a library leaves the Linux build only when the .deb brings the same file, and
what it strips still loads while wheels' patchelf-rewritten libraries are left alone."""

from __future__ import annotations

import ctypes
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("dpkg-query", "apt-cache", "strip", "readelf", "gcc")
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not all(map(shutil.which, TOOLS)),
    reason=f"needs a Debian system with {', '.join(TOOLS)}",
)


@pytest.fixture(scope="module")
def slim():
    spec = importlib.util.spec_from_file_location("slim_linux", ROOT / "packaging" / "slim_linux.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_system_library_goes_only_when_the_deb_brings_that_same_file(slim, tmp_path):
    system = slim.system_paths()
    internal = tmp_path / "_internal"
    internal.mkdir()
    shutil.copy(system["libz.so.1"], internal / "libz.so.1")
    (internal / "libexpat.so.1").write_bytes(Path(system["libexpat.so.1"]).read_bytes() + b"\0")

    assert slim.drop_system_libraries(internal, {"libexpat1"}) == []  # zlib1g is not among the Depends
    assert (internal / "libz.so.1").exists()

    dropped = slim.drop_system_libraries(internal, {"zlib1g", "libexpat1"})
    assert [(name, package) for name, package, _ in dropped] == [("libz.so.1", "zlib1g")]
    assert not (internal / "libz.so.1").exists()
    assert (internal / "libexpat.so.1").exists()  # not byte-identical to Debian's: kept


def test_the_depends_closure_follows_depends_of_depends(slim):
    closure = slim.depends_closure(["libexpat1"])
    assert {"libexpat1", "libc6"} <= closure


def test_strip_keeps_what_loads_and_leaves_patchelf_rewritten_libraries(slim, tmp_path):
    source = tmp_path / "demo.c"
    source.write_text("int demo_answer(void) { return 42; }\n")
    internal = tmp_path / "_internal"
    (internal / "numpy.libs").mkdir(parents=True)

    def build(out: Path, *flags: str) -> Path:
        subprocess.run(["gcc", "-shared", "-fPIC", "-g", *flags, "-o", str(out), str(source)], check=True)
        return out

    plain = build(internal / "libdemo.so")
    wheel_lib = build(internal / "numpy.libs" / "libdemo-1a2b3c.so")
    with_runpath = build(internal / "librunpath.so", "-Wl,-rpath,$ORIGIN/../demo.libs")
    assert all(slim._has_symbols(p) for p in (plain, wheel_lib, with_runpath))

    saved, refused = slim.strip_binaries(internal)

    assert saved > 0 and refused == []
    assert not slim._has_symbols(plain)
    assert ctypes.CDLL(str(plain)).demo_answer() == 42
    assert slim._has_symbols(wheel_lib) and slim._has_symbols(with_runpath)
