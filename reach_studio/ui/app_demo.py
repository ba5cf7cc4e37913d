"""`reach-studio demo`: the desktop app signed in to the embedded Kaltura REACH emulator's demo tasks.

Also provides `DemoServer`, which the sign-in dialog's "Try the demo" uses. Qt is imported only in
`run`, because cli.py imports this module while parsing arguments.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import Any

from reach_studio import paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="emulator port (default: any free port)")
    parser.add_argument("--reset", action="store_true", help="start the demo from a fresh seed")
    parser.add_argument("--quit-after", type=float, default=None, metavar="SECONDS", help=argparse.SUPPRESS)


class DemoServer:
    """Starts the embedded emulator with the demo seed once, and knows the account to sign in with."""

    def __init__(self, port: int = 0, reset: bool = False) -> None:
        self.port = port
        self.reset = reset
        self.emulator: Any = None
        self.account: Any = None
        self._lock = threading.Lock()

    @property
    def data_dir(self) -> Path:
        return paths.data_dir() / "emulator"

    def __call__(self):
        """Start (if needed) and return the AccountConfig of the demo vendor. Blocking: run in background."""
        from reach_studio.demo import start_demo

        with self._lock:
            if self.emulator is None:
                self.emulator, self.account = start_demo(self.data_dir, port=self.port, reset=self.reset)
            return self.account

    def customer_names(self) -> dict[int, str]:
        if self.emulator is None:
            return {}
        return {int(c["partnerId"]): c["name"] for c in self.emulator.info.get("customers", [])}

    def stop(self) -> None:
        with self._lock:
            if self.emulator is not None:
                self.emulator.stop()
                self.emulator = None


def run(args: argparse.Namespace) -> int:
    from reach_studio.ui.app import run_app

    demo = DemoServer(port=getattr(args, "port", 0) or 0, reset=getattr(args, "reset", False))
    return run_app(args, demo=demo, start_demo=True)
