"""Command line: `reach-studio [gui|demo|emulator|sync]`.

Each sub-command lives in its own module and registers itself here; imports are lazy so that the
headless commands never load Qt.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

# name -> (module, help). Each module defines `add_arguments(parser)` and `run(args) -> int`,
# and must not import Qt at module level.
COMMANDS: dict[str, tuple[str, str]] = {
    "gui": ("reach_studio.ui.app", "open the desktop app (default)"),
    "demo": ("reach_studio.ui.app_demo", "open the desktop app signed in to the embedded emulator's demo"),
    "emulator": ("reach_studio.emulator.cli", "run the Kaltura REACH emulator"),
    "sync": ("reach_studio.sync", "headless supervisor mode: poll, report, extend keys, live relay"),
    "doctor": ("reach_studio.doctor", "check which optional parts (video, keyring, ffmpeg) work here"),
}


class _VersionAction(argparse.Action):
    """argparse's "version" action, with the version looked up only when asked (see reach_studio.__init__)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(
            option_strings, dest=dest, default=default, nargs=0, help=help or "show the version and exit"
        )

    def __call__(self, parser, namespace, values, option_string=None):
        from reach_studio import __version__

        print(f"reach-studio {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reach-studio", description="Workbench for Kaltura REACH vendor tasks."
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subs = parser.add_subparsers(dest="command")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subs.add_parser(name, help=help_text)
        sub.set_defaults(_module=module_name)
        # Command modules import Qt (or anything heavy) only inside run(), so parsing stays cheap and headless.
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            sub.set_defaults(_missing=str(exc))
            continue
        if hasattr(module, "add_arguments"):
            module.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if (
        not argv
        or argv[0].startswith("-")
        and argv[0] not in ("-h", "--help", "--version", "-v", "--verbose")
    ):
        argv.insert(0, "gui")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # urllib3 logs whole request URLs at DEBUG, and playManifest/serveFlavor URLs carry a KS.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    if args.command is None:
        args = parser.parse_args(["gui", *argv])
    if getattr(args, "_missing", None):
        print(f"reach-studio {args.command}: not available in this build ({args._missing})", file=sys.stderr)
        return 2
    module = importlib.import_module(args._module)
    return int(module.run(args) or 0)
