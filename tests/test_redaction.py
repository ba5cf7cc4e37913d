"""Secrets never reach a log line or a message: the one scrubber every layer uses."""

import logging

from reach_studio.redaction import RedactingFilter, redact, register_secret

KS = "djJ8MTAxfGVuY3J5cHRlZC1zdHVmZi1oZXJlLXRoYXQtaXMtbG9uZy1lbm91Z2gtdG8tYmUtYS1rcw=="


def test_ks_in_kaltura_urls_headers_and_pairs_is_masked():
    text = (
        f"GET /p/101/sp/10100/playManifest/entryId/0_x/ks/{KS}/format/applehttp/a.m3u8 "
        f"and ?ks={KS}&x=1, header X-Kaltura-Ks: {KS}, appToken=abcdef123456"
    )
    out = redact(text)
    assert KS not in out and "abcdef123456" not in out
    assert "/ks/***/format/applehttp" in out and "?ks=***&x=1" in out


def test_registered_and_extra_secrets_are_masked_but_ordinary_text_is_kept():
    register_secret("s3cr3t-token-value")
    out = redact("sign-in with s3cr3t-token-value and key K-99 failed for entry 0_abc", extra=["K-99"])
    assert out == "sign-in with *** and key *** failed for entry 0_abc"


def test_log_filter_masks_formatted_records():
    record = logging.LogRecord("x", logging.INFO, "", 0, "calling with ks %s", (KS,), None)
    RedactingFilter().filter(record)
    assert KS not in record.getMessage() and "***" in record.getMessage()


def test_file_paths_stay_readable():
    path = "/tmp/pytest-of-root/pytest-12/test_failure_carries_ffmpeg_stderr0/nothing-here.mp4"
    assert redact(f"Error opening input file {path}.") == f"Error opening input file {path}."


def test_a_command_line_holding_a_ks_or_token_is_recognised_and_ordinary_ones_are_not():
    from reach_studio.redaction import argv_holds_secret

    register_secret("registered-app-token-42")
    secret_lines = [
        ["ffprobe", "-i", f"https://cdn.example/p/1/playManifest/entryId/0_x/ks/{KS}/a.m3u8"],
        ["ffmpeg", "-i", "https://cdn.example/a.mp4?token=abc123"],
        ["ffmpeg", "-headers", f"X-Kaltura-Ks: {KS}\r\n", "-i", "https://cdn.example/a.mp4"],
        ["ffmpeg", "-headers", "Authorization: Bearer xyz\r\n", "-i", "https://cdn.example/a.mp4"],
        ["ffmpeg", "-i", "input.mp4", "-metadata", f"comment={KS}", "out.mp4"],
        ["tool", "--app-token", "registered-app-token-42"],
    ]
    for argv in secret_lines:
        assert argv_holds_secret(argv), argv
    hash_name = "ab" * 32  # a 64-character hash as a cache file's name is not a secret
    ordinary = [
        ["ffmpeg", "-i", f"/home/ana/.cache/reach/{hash_name}/0_x.mp4", "-f", "s16le", "pipe:1"],
        ["ffmpeg", "-listen", "1", "-i", "rtmp://127.0.0.1:1935/live/reach-4242", "pipe:1"],
        ["ffmpeg", "-filter_complex", "[0:a]volume=enable='between(t,1.2,3.4)':volume=0.2[a]", "o.m4a"],
    ]
    for argv in ordinary:
        assert not argv_holds_secret(argv), argv


def test_a_childs_environment_keeps_no_secret():
    from reach_studio.redaction import child_environment

    register_secret("registered-app-token-43")
    env = {
        "PATH": "/usr/bin",
        "HOME": "/home/ana",
        "PGPASSWORD": "team-db",
        "PGPASSFILE": "/home/ana/.pgpass",
        "REACH_APP_TOKEN": "x",
        "MY_VAR": "registered-app-token-43",
        "KALTURA_ADMIN_SECRET": "y",
        "REACH_TEAM_DB": "postgresql://team:hunter2@db.example/reach",
        "HTTPS_PROXY": "http://proxy.example:3128",
    }
    assert child_environment(env) == {
        "PATH": "/usr/bin",
        "HOME": "/home/ana",
        "HTTPS_PROXY": "http://proxy.example:3128",
    }


def test_what_libvlc_logs_about_a_stream_is_masked():
    """libvlc quotes the stream's URL in its own ways (backquotes, percent-encoding, cut at its buffer's
    end); its messages reach the log through redact (ui/player/native_log.py), so every form is masked."""
    url = f"https://127.0.0.1:5000/p/101/sp/10100/playManifest/entryId/0_x/format/applehttp/a.m3u8?ks={KS}"
    encoded_ks = KS.replace("=", "%3D")
    lines = [
        f"main input debug: `{url}' successfully opened",
        f"adaptive debug: Opening '/p/101/sp/10100/serveFlavor/entryId/0_x/ks/{KS}/seg-1-a1.ts'",
        f"http debug: resolving https://127.0.0.1:5000/p/101/ks/{encoded_ks}/name/a.m3u8",
        f"main playlist debug: adding item `a.m3u8' ( https%3A%2F%2Fhost%2Fa.m3u8%3Fks%3D{encoded_ks} )",
        (f"main input debug: `{url}"[:-40]),  # libvlc's 1024-byte line cut inside the key
    ]
    for line in lines:
        out = redact(line)
        assert KS not in out and KS[:24] not in out and encoded_ks not in out, out
