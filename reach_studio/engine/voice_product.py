"""What a voice task (dubbing, audio description) delivers and starts from, Qt-free: the mixed track and
the clear original audio as a WorkProduct, a preview mix, and the entry's captions a dub script starts from.

Why it exists: the voice editor (ui/) only presents the script and its takes; rendering (ffmpeg through
media/audio_mix.py) and reading Kaltura (kaltura/reach_api.py) are engine work that runs in a worker
thread, and that tests and headless tools call without a widget.
"""

from __future__ import annotations

import json
from pathlib import Path

from reach_studio.domain.captions import CaptionDocument
from reach_studio.domain.delivery_plan import WorkProduct
from reach_studio.domain.progress import CancelToken, ProgressCallback
from reach_studio.domain.voice_script import VoiceScript
from reach_studio.media.audio_mix import Placement, extract_clear_audio, mix_voice_track


def render_work_product(
    script: VoiceScript,
    media: Path,
    out_dir: Path,
    *,
    dub_caption_accuracy: int | None = None,
    kbps: int = 128,
    token: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> WorkProduct:
    """Mix the takes into the delivered track and extract the clear audio (blocking; run it in a worker).

    Progress is reported in thousandths: mixing up to 700, the clear audio up to 1000.
    """

    def stage(lo: int, hi: int) -> ProgressCallback | None:
        if progress is None:
            return None
        return lambda done, total: progress(lo + (hi - lo) * done // total if total else lo, 1000)

    main_name = "dub" if script.kind == "dubbing" else "audio-description"
    main, clear = out_dir / f"{main_name}.mp4", out_dir / "clear-audio.mp4"
    stamp_path = out_dir / "rendered.json"
    # The same script renders to the same files, which are then reused: a delivery resumed after a cancel or
    # a crash uploads the very files it started with (the delivery journal keys uploads by size and mtime).
    stamp = json.dumps(
        {
            "takes": [[s, str(p)] for s, p in script.takes()],
            "media": str(media),
            "kbps": kbps,
            "inputs": [_file_stamp(p) for p in [Path(media), *(p for _s, p in script.takes())]],
        },
        sort_keys=True,
    )
    reuse = (
        main.is_file()
        and clear.is_file()
        and stamp_path.is_file()
        and stamp_path.read_text(encoding="utf-8") == stamp
    )
    if not reuse:
        stamp_path.unlink(missing_ok=True)
        mix_voice_track(
            media,
            [Placement(s, p) for s, p in script.takes()],
            main,
            kbps=kbps,
            token=token,
            progress=stage(0, 700),
        )
        extract_clear_audio(media, clear, kbps=kbps, token=token, progress=stage(700, 1000))
        stamp_path.write_text(stamp, encoding="utf-8")
    elif progress is not None:
        progress(1000, 1000)
    dub_caps = None
    if script.kind == "dubbing" and dub_caption_accuracy is not None:
        dub_caps = script.aligned_captions(dub_caption_accuracy)
    return WorkProduct(main_audio=main, clear_audio=clear, dub_captions=dub_caps)


def render_preview(
    takes: list[tuple[int, Path]],
    media: Path,
    dest: Path,
    *,
    token: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> Path:
    """The takes recorded so far mixed over the media, for the linguist to listen to (blocking)."""
    return mix_voice_track(media, [Placement(s, p) for s, p in takes], dest, token=token, progress=progress)


def entry_captions_for_dubbing(connection, task) -> tuple[CaptionDocument, str] | None:
    """The entry's captions to start a dub script from: the target language's if there are any, else the
    source language's (`engine/entry_captions.find_draft_captions`). Returns (document, description) or
    None. Never changes the task (unlike a translation's source check, a dub script does not require
    100 % captions).
    """
    from reach_studio.engine.entry_captions import find_draft_captions

    for language in (task.target_language, task.source_language):
        found = find_draft_captions(connection, task, language) if language else None
        if found is not None:
            return found.document, f"the entry's {language} captions ({found.label or found.asset_id})"
    return None


def _file_stamp(path: Path) -> list:
    st = Path(path).stat()
    return [str(path), st.st_size, st.st_mtime_ns]
