"""The embedded Kaltura REACH emulator with the demo seed, and the vendor account that signs in to it.

One home for `reach-studio demo`, the sign-in dialog's "Try the demo" (ui/app_demo.py) and `sync --demo`:
where the generated media is cached between runs, and which account the demo vendor uses.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from reach_studio import paths

if TYPE_CHECKING:
    from reach_studio.emulator.server import Emulator
    from reach_studio.kaltura.connection import AccountConfig


def start_demo(
    data_dir: Path, *, port: int = 0, reset: bool = False, label: str = "Demo (built-in emulator)"
) -> tuple[Emulator, AccountConfig]:
    """Start the demo emulator on `data_dir` (from a fresh seed with `reset`). Blocking: media for the
    demo entries is generated with ffmpeg on the first run, then reused from the cache."""
    from reach_studio.emulator.server import Emulator
    from reach_studio.kaltura.connection import AccountConfig

    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    emulator = Emulator(data_dir, seed="demo", port=port, media_cache=paths.cache_dir() / "emulator-media")
    emulator.start()
    return emulator, AccountConfig.from_emulator_info(emulator.info, label=label)
