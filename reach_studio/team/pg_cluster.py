"""A throwaway PostgreSQL cluster in a temp folder, for tests, benches and trying team mode on one machine.

Why it exists: the team store is tested against a real server, never a mock, and CI is a fresh Debian
machine where nothing runs. `scripts/bootstrap.sh --test` installs Debian's `postgresql` when it is missing; this
module finds its initdb/pg_ctl, makes a cluster owned by a non-root user (PostgreSQL refuses to run as
root), starts it on a free loopback port plus a unix socket in the same folder, and removes it all on stop.
Durability is switched off (fsync off): the data is thrown away anyway.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SERVICE_USER = "postgres"  # Debian's package creates it; used only when we run as root


class ClusterError(RuntimeError):
    """The server binaries are missing or the cluster would not start (the message says what to do)."""


def find_bindir() -> Path:
    """Folder holding initdb/pg_ctl: $REACH_PG_BINDIR, Debian's newest /usr/lib/postgresql/*/bin, or PATH."""
    configured = os.environ.get("REACH_PG_BINDIR")
    candidates = [configured] if configured else []
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise ClusterError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: run scripts/bootstrap.sh --test as root "
        "(it installs Debian's postgresql) or set REACH_PG_BINDIR"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """initdb + pg_ctl start in a fresh temp folder; `url` is a libpq URL for the superuser `reach`."""

    def __init__(self, max_connections: int = 300, user: str = "reach", database: str = "reach") -> None:
        self.bindir = find_bindir()
        self.max_connections = max_connections
        self.user = user
        self.database = database
        self.port = 0
        self.folder: Path | None = None
        self._run_as: str | None = None

    @property
    def data_dir(self) -> Path:
        assert self.folder is not None
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def _cmd(self, *args: str) -> list[str]:
        if self._run_as is None:
            return list(args)
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", self._run_as, "--", *args]
        import shlex

        return ["su", "-s", "/bin/sh", self._run_as, "-c", shlex.join(args)]

    def _run(self, *args: str, timeout: float = 120) -> None:
        try:
            done = subprocess.run(
                self._cmd(*args), check=False, capture_output=True, text=True, timeout=timeout
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ClusterError(f"{Path(args[0]).name} failed: {exc}") from None
        if done.returncode != 0:
            log = ""
            if self.folder is not None and (self.folder / "server.log").exists():
                log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
            raise ClusterError(
                f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}\n{log}"
            )

    def start(self) -> PgCluster:
        # /tmp itself, not pytest's tmp folders: those are 0700 root and the service user must enter this one
        self.folder = Path(tempfile.mkdtemp(prefix="reach-pg-"))
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam(SERVICE_USER)
            except KeyError:
                raise ClusterError(
                    f"running as root, PostgreSQL needs a non-root user; user {SERVICE_USER!r} is missing "
                    "(run scripts/bootstrap.sh --test, which installs Debian's postgresql)"
                ) from None
            self._run_as = SERVICE_USER
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        last: Exception | None = None
        for _attempt in range(5):  # a free port can be taken between the probe and the bind
            self.port = _free_port()
            options = (
                f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                f"-c max_connections={self.max_connections} -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c shared_buffers=32MB"
            )
            try:
                self._run(
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.folder / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
                break
            except ClusterError as exc:
                last = exc
        else:
            self._remove()
            raise ClusterError(f"the PostgreSQL server would not start: {last}")
        self._run(
            str(self.bindir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            self.user,
            self.database,
        )
        return self

    def create_database(self, name: str) -> str:
        """A fresh empty database in this cluster (one per test keeps tests apart); returns its URL."""
        self._run(
            str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name
        )
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.folder is None:
            return
        if self.data_dir.exists():
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop")
            except ClusterError:
                pass  # it may not have started; the folder goes anyway
        self._remove()

    def _remove(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> PgCluster:  # noqa: PYI034
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
