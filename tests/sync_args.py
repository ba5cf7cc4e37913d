"""Command-line arguments that point `reach-studio sync` at an emulator's demo vendor."""

from __future__ import annotations


def account_args(info: dict, token_env: str) -> list[str]:
    """Flags for the vendor account in `emulator.info`; the token itself goes in the env var `token_env`."""
    return [
        "--service-url",
        info["serviceUrl"],
        "--vendor-partner-id",
        str(info["vendorPartnerId"]),
        "--vendor-name",
        info["vendorName"],
        "--app-token-id",
        info["appTokenId"],
        "--app-token-env",
        token_env,
    ]
