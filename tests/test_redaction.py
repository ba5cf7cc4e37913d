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
