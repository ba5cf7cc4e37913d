"""Live captions (LIVE_CAPTION / LIVE_TRANSLATION): message builder, token check, caption websocket, provisioning, relay.

Qt-free, so the `sync --live` headless mode, the live console and the tests share the same pieces.
"""
