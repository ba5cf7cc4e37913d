"""Running ffmpeg (the pip-installed imageio-ffmpeg binary) with progress, cancel and readable errors.

Every ffmpeg call of the project goes through `run_ffmpeg` (or `open_ffmpeg_pipe` for streamed output),
so that a stuck or cancelled process is always killed and a failure always says why, without secrets.
Every media child (these, ffprobe, the live ingest) starts through `spawn`: no secret on its command line,
which every user of the machine can read, and none in its environment.
"""

from __future__ import annotations

import collections
import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from reach_studio.domain.progress import Cancelled, CancelToken, ProgressCallback
from reach_studio.media.errors import MediaError, redact
from reach_studio.redaction import argv_holds_secret, child_environment

_STDERR_TAIL_LINES = 12
_POLL_S = 0.05


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary: `$REACH_STUDIO_FFMPEG` if set, else the one shipped by imageio-ffmpeg."""
    override = os.environ.get("REACH_STUDIO_FFMPEG")
    if override:
        return override
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise MediaError("ffmpeg is not available: the imageio-ffmpeg package is not installed") from exc
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:
        raise MediaError(f"ffmpeg is not available: {exc}") from exc


def spawn(cmd: Sequence[str], what: str, **popen: Any) -> subprocess.Popen:
    """Start a media child process; `MediaError` instead when `cmd` holds a secret (a KS, a token: media
    reach ffmpeg as local files or through a pipe, never as a Kaltura URL). OSError passes through."""
    if argv_holds_secret(cmd):
        raise MediaError(
            f"not starting {what}: its command line would show a secret (a KS or token) to every user of "
            "this machine"
        )
    return subprocess.Popen(list(cmd), env=child_environment(), **popen)


def _drain_lines(stream: IO[bytes], sink: collections.deque[str] | queue.Queue[str]) -> None:
    try:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            if isinstance(sink, collections.deque):
                sink.append(line)
            else:
                sink.put(line)
    except (OSError, ValueError):
        pass
    finally:
        if isinstance(sink, queue.Queue):
            sink.put(None)  # type: ignore[arg-type]


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - kill did not work
        pass


def _failure(what: str, rc: int | None, tail: collections.deque[str]) -> MediaError:
    lines = [line for line in tail if line.strip()]
    detail = "\n".join(lines[-_STDERR_TAIL_LINES:]) or "(no output)"
    return MediaError(f"{what} failed (exit code {rc}):\n{redact(detail)}")


def run_ffmpeg(
    args: Sequence[str],
    *,
    duration_ms: int | None = None,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    timeout: float | None = None,
    cwd: str | Path | None = None,
) -> None:
    """Run `ffmpeg <args>`, reporting progress as (done_ms, total_ms) and honouring `token`.

    `duration_ms` is the expected length of the output (total 0 is reported when unknown).
    Cancellation kills the process and raises `Cancelled`; a non-zero exit or a timeout raises
    `MediaError` with the last lines of ffmpeg's stderr. Output files are the caller's business
    (write to a temporary name and rename on success).
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-nostats", "-progress", "pipe:1", *map(str, args)]
    total = int(duration_ms or 0)
    try:
        proc = spawn(
            cmd, "ffmpeg", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
        )
    except OSError as exc:
        raise MediaError(f"cannot start ffmpeg: {exc}") from exc
    stderr_tail: collections.deque[str] = collections.deque(maxlen=200)
    lines: queue.Queue[str] = queue.Queue()
    readers = [
        threading.Thread(target=_drain_lines, args=(proc.stderr, stderr_tail), daemon=True),
        threading.Thread(target=_drain_lines, args=(proc.stdout, lines), daemon=True),
    ]
    for reader in readers:
        reader.start()
    deadline = None if timeout is None else time.monotonic() + timeout
    last_done = -1
    stdout_open = True
    try:
        while True:
            if token is not None and token.cancelled:
                _kill(proc)
                raise Cancelled()
            if deadline is not None and time.monotonic() > deadline:
                _kill(proc)
                raise MediaError(f"ffmpeg timed out after {timeout:g} s")
            if stdout_open:
                try:
                    line = lines.get(timeout=_POLL_S)
                except queue.Empty:
                    continue
                if line is None:
                    stdout_open = False
                    continue
                key, _, value = line.partition("=")
                if key == "out_time_us" and progress is not None:
                    try:
                        done = max(0, int(value) // 1000)
                    except ValueError:
                        continue
                    if total:
                        done = min(done, total)
                    if done != last_done:
                        last_done = done
                        progress(done, total)
                continue
            try:
                proc.wait(timeout=_POLL_S)
                break
            except subprocess.TimeoutExpired:
                continue
    except BaseException:
        _kill(proc)
        raise
    finally:
        for reader in readers:
            reader.join(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    if proc.returncode != 0:
        raise _failure("ffmpeg", proc.returncode, stderr_tail)
    if progress is not None and total and last_done != total:
        progress(total, total)


def run_ffmpeg_to_file(args: Sequence[str], dest: Path, *, partial: str, **run: Any) -> Path:
    """`run_ffmpeg(args + [output])` writing to `.<dest name>.<partial>` beside `dest`, renamed over `dest`
    only once ffmpeg succeeded: a cancelled, failed or killed run never leaves half a file under the real
    name. `run` takes `run_ffmpeg`'s keywords."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{partial}")
    try:
        run_ffmpeg([*args, str(tmp)], **run)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


class FfmpegPipe:
    """A running ffmpeg whose stdout the caller reads (e.g. raw PCM); see `open_ffmpeg_pipe`."""

    def __init__(self, proc: subprocess.Popen, stderr_tail: collections.deque[str], reader: threading.Thread):
        self._proc = proc
        self._tail = stderr_tail
        self._reader = reader
        self.stdout: IO[bytes] = proc.stdout  # type: ignore[assignment]

    def kill(self) -> None:
        _kill(self._proc)

    def finish(self, timeout: float | None = 30.0) -> None:
        """Wait for ffmpeg to exit; raise `MediaError` with its stderr tail if it failed."""
        try:
            self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(self._proc)
            raise MediaError("ffmpeg did not exit in time") from None
        self._reader.join(timeout=5)
        if self._proc.returncode != 0:
            raise _failure("ffmpeg", self._proc.returncode, self._tail)


@contextmanager
def open_ffmpeg_pipe(args: Sequence[str], *, cwd: str | Path | None = None) -> Iterator[FfmpegPipe]:
    """Start `ffmpeg <args>` writing its output to stdout (use `pipe:1` as the output in `args`).

    The process is always killed when the block exits early (error or cancel), so no ffmpeg outlives it.
    Call `pipe.finish()` after reading everything to check the exit status.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", *map(str, args)]
    try:
        proc = spawn(
            cmd, "ffmpeg", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
        )
    except OSError as exc:
        raise MediaError(f"cannot start ffmpeg: {exc}") from exc
    tail: collections.deque[str] = collections.deque(maxlen=200)
    reader = threading.Thread(target=_drain_lines, args=(proc.stderr, tail), daemon=True)
    reader.start()
    pipe = FfmpegPipe(proc, tail, reader)
    try:
        yield pipe
    finally:
        _kill(pipe._proc)
        reader.join(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
