"""`reach-studio gui`: builds the application, the main window and its services, then runs the event loop.

Qt is imported only inside the functions, because cli.py imports this module while parsing arguments
(and the headless commands must never load Qt).
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

log = logging.getLogger(__name__)

STARTED = time.perf_counter()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quit-after", type=float, default=None, metavar="SECONDS", help=argparse.SUPPRESS)


def _file_logging() -> None:
    """A rotating log file under paths.log_dir(), redacted like the log window."""
    from logging.handlers import RotatingFileHandler

    from reach_studio import paths
    from reach_studio.ui.log_window import RedactingFormatter

    root = logging.getLogger()
    if any(getattr(h, "_reach_studio", False) for h in root.handlers):
        return
    handler = RotatingFileHandler(paths.log_dir() / "reach-studio.log", maxBytes=2_000_000, backupCount=3,
                                  encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    handler._reach_studio = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    # Records that reach other handlers (e.g. the console set up by cli.py) are redacted too.
    for h in root.handlers:
        if not isinstance(h.formatter, RedactingFormatter):
            fmt = h.formatter._fmt if h.formatter else "%(levelname)s %(name)s: %(message)s"
            h.setFormatter(RedactingFormatter(fmt))


def build_window(demo: Any = None):
    """The main window with its settings, secrets, drafts and task service (the app minus the event loop)."""
    from reach_studio.secrets import SecretStore
    from reach_studio.settings import Settings
    from reach_studio.store.drafts import DraftStore
    from reach_studio.ui.main_window import MainWindow

    return MainWindow(Settings(), SecretStore(), DraftStore(), demo=demo)


def _auto_sign_in(window) -> bool:
    """Sign in, in the background, to every remembered account whose token the keyring still has."""
    from reach_studio.kaltura.connection import AccountConfig
    from reach_studio.secrets import account_id
    from reach_studio.ui.sign_in_dialog import explain_sign_in_error, sign_in
    from reach_studio.workers.background import run_in_background

    started = False
    for acct in window.settings.get("accounts"):
        token = window.secrets.get(account_id(acct["service_url"], acct["vendor_partner_id"]))
        if not token:
            continue
        account = AccountConfig(
            service_url=acct["service_url"], vendor_partner_id=int(acct["vendor_partner_id"]),
            vendor_name=acct.get("vendor_name", ""), app_token_id=acct.get("app_token_id") or None,
            app_token=token, label=acct.get("label", ""),
        )
        window.activity.setText(f"Signing in to {account.display_name()}…")
        run_in_background(
            lambda t, p, a=account: sign_in(a),
            on_done=window.add_connection,
            on_error=lambda exc, a=account: window.activity.setText(
                f"{a.display_name()}: {explain_sign_in_error(exc, a.service_url)}"),
        )
        started = True
    return started


def run_app(args: argparse.Namespace, demo: Any = None, start_demo: bool = False) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from reach_studio import APP_NAME, __version__
    from reach_studio.ui.app_demo import DemoServer

    app = QApplication.instance() or QApplication([])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    _file_logging()
    demo = demo or DemoServer()
    window = build_window(demo=demo)
    window.show()
    log.info("window shown %.0f ms after start", (time.perf_counter() - STARTED) * 1000)
    if start_demo:
        QTimer.singleShot(0, window.start_demo)
    elif not _auto_sign_in(window):
        QTimer.singleShot(0, window.show_sign_in)
    quit_after = getattr(args, "quit_after", None)
    if quit_after:
        QTimer.singleShot(int(quit_after * 1000), window.close)
    try:
        return app.exec()
    finally:
        if isinstance(demo, DemoServer):
            demo.stop()


def run(args: argparse.Namespace) -> int:
    return run_app(args)
