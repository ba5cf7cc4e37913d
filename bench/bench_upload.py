"""Benchmark: resumable chunked upload through the emulator vs one plain `requests` POST of the same file.

    .venv/bin/python bench/bench_upload.py [--size-mb 500] [--repeat 1]

Both go to the same endpoint (uploadtoken.upload) of a local emulator: the baseline is a single multipart
POST streamed by requests (what the official client would do for the whole file, minus its 10 s timeout);
ours is ChunkedUploader through the official client (uploadToken.add + upload in adaptive chunks with
resume/resumeAt). Prints throughput of both and the ratio (target ≥ 0.8).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import requests
from requests_toolbelt import MultipartEncoder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reach_studio.domain.delivery_plan import FileSource
from reach_studio.emulator.server import Emulator
from reach_studio.kaltura.chunked_upload import ChunkedUploader
from reach_studio.kaltura.connection import AccountConfig, ReachConnection

MiB = 1024 * 1024


def make_file(path: Path, size: int) -> None:
    block = os.urandom(4 * MiB)
    with path.open("wb") as fh:
        left = size
        while left > 0:
            n = min(left, len(block))
            fh.write(block[:n])
            left -= n


def single_post(conn: ReachConnection, path: Path) -> float:
    """One multipart POST of the whole file (streamed), as the client library builds it."""
    ks = conn.vendor_ks()
    token = conn.call(
        lambda c: c.uploadToken.add(
            __import__("KalturaClient.Plugins.Core", fromlist=["x"]).KalturaUploadToken(
                fileName=path.name, fileSize=float(path.stat().st_size)
            )
        )
    )
    params = {
        "format": "2",
        "ks": ks,
        "uploadTokenId": token.id,
        "resume": "False",
        "finalChunk": "True",
        "resumeAt": "-1",
    }
    started = time.perf_counter()
    with path.open("rb") as fh:
        enc = MultipartEncoder(fields={"json": json.dumps(params), "fileData": (path.name, fh, "video/mp4")})
        r = requests.post(
            f"{conn.service_url}/api_v3/service/uploadtoken/action/upload",
            data=enc,
            headers={"Content-Type": enc.content_type, "Accept": "text/xml"},
            timeout=600,
        )
    elapsed = time.perf_counter() - started
    r.raise_for_status()
    check = conn.call(lambda c: c.uploadToken.get(token.id))
    assert int(check.uploadedFileSize) == path.stat().st_size, "baseline upload incomplete"
    return elapsed


def chunked(conn: ReachConnection, path: Path) -> tuple[float, int]:
    uploader = ChunkedUploader(lambda fn: conn.call(fn, retries=0))
    started = time.perf_counter()
    result = uploader.upload(FileSource.from_path(path))
    elapsed = time.perf_counter() - started
    check = conn.call(lambda c: c.uploadToken.get(result.token_id))
    assert int(check.uploadedFileSize) == path.stat().st_size, "chunked upload incomplete"
    return elapsed, result.chunks


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        tmpdir = Path(tmp)
        path = tmpdir / "big.mp4"
        size = args.size_mb * MiB
        make_file(path, size)
        with Emulator(tmpdir / "emu", seed="minimal") as emu:
            info = emu.info
            conn = ReachConnection(
                AccountConfig.from_emulator_info(info),
                request_timeout=600,
            )
            print(f"file: {size / MiB:.0f} MiB; emulator at {info['serviceUrl']}")
            for i in range(args.repeat):
                base = single_post(conn, path)
                ours, chunks = chunked(conn, path)
                mb = size / MiB
                print(
                    f"run {i + 1}: single requests POST {base:6.2f} s = {mb / base:7.1f} MiB/s | "
                    f"chunked ({chunks} chunks) {ours:6.2f} s = {mb / ours:7.1f} MiB/s | "
                    f"ratio chunked/single = {base / ours:.2f} (target >= 0.8)"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
