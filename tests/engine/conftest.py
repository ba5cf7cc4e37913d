"""Helpers for engine tests against the emulator."""

from __future__ import annotations

import pytest

from reach_studio.kaltura.connection import AccountConfig, ReachConnection


def connect(emu, **account_fields) -> ReachConnection:
    """A connection signed in with the emulator vendor's app token (as a linguist would)."""
    info = emu.info
    acct = AccountConfig.from_emulator_info(info, **account_fields)
    return ReachConnection(acct, request_timeout=20)


@pytest.fixture
def conn(emulator) -> ReachConnection:
    return connect(emulator)
