"""The demo vendor account as the shell signs in to it, shared by the shell's end-to-end tests."""

from __future__ import annotations

from reach_studio.kaltura.connection import AccountConfig


def demo_account(emu) -> AccountConfig:
    info = emu.info
    return AccountConfig.from_emulator_info(info, label="Demo")
