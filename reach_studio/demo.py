"""The embedded Kaltura REACH emulator with the demo seed, and the vendor account that signs in to it.

One home for `reach-studio demo`, the sign-in dialog's "Try the demo" (ui/app_demo.py) and `sync --demo`:
where the generated media is cached between runs, and which account the demo vendor uses.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reach_studio import paths

if TYPE_CHECKING:
    from reach_studio.emulator.server import Emulator
    from reach_studio.kaltura.connection import AccountConfig


def start_demo(
    data_dir: Path, *, port: int = 0, reset: bool = False, label: str = "Demo (built-in emulator)"
) -> tuple[Emulator, AccountConfig]:
    """Start the demo emulator on `data_dir` (from a fresh seed with `reset`). Blocking: media for the
    demo entries is generated with ffmpeg on the first run, then reused from the cache."""
    from reach_studio.emulator.server import Emulator, EmulatorError
    from reach_studio.kaltura.connection import AccountConfig

    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    media_cache = paths.cache_dir() / "emulator-media"
    last = _last_port(data_dir) if port == 0 else 0
    emulator = Emulator(data_dir, seed="demo", port=last or port, media_cache=media_cache)
    try:
        emulator.start()
    except EmulatorError:
        if not last:
            raise
        # the port is taken now: any free one (the earlier demo's tasks then need signing in again)
        emulator = Emulator(data_dir, seed="demo", port=0, media_cache=media_cache)
        emulator.start()
    if port == 0:
        _remember_port(data_dir, urlsplit(emulator.url).port or 0)
    return emulator, AccountConfig.from_emulator_info(emulator.info, label=label)


_PORT_FILE = "demo-port"


def _last_port(data_dir: Path) -> int:
    """The port the demo served on last time: the account's key holds the URL, so the claimed tasks and
    drafts of an earlier run belong to the demo only if it comes back on the same port."""
    try:
        value = int((data_dir / _PORT_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return 0
    return value if 1024 <= value <= 65535 else 0


def _remember_port(data_dir: Path, port: int) -> None:
    try:
        (data_dir / _PORT_FILE).write_text(f"{port}\n", encoding="ascii")
    except OSError:
        pass  # a read-only data folder only costs the next run its earlier tasks
