"""Issue 15, bug 5: a captions task plays a flavor with a picture, and the editor says which flavor it plays
(an audio-only one is named as such instead of a silent black video)."""

from __future__ import annotations

import subprocess

from reach_studio.domain.enums import ServiceFeature
from reach_studio.domain.flavor_choice import FlavorInfo, Need, choose_flavor, need_for
from tests.factories import make_task

from .test_editor_widget import open_editor


def test_caption_work_gets_a_flavor_with_a_picture():
    audio = FlavorInfo("0_audio", 359, bitrate=64, tags="audio_only")
    video = FlavorInfo("0_video", 2, 640, 360, 700, video_codec_id="avc1")
    for feature in (
        ServiceFeature.CAPTIONS,
        ServiceFeature.TRANSLATION,
        ServiceFeature.CHAPTERING,
        ServiceFeature.EXTENDED_AUDIO_DESCRIPTION,
    ):
        need = need_for(make_task(feature))
        assert need is Need.VIDEO
        assert choose_flavor([audio, video], [], need).flavor is video
    # only work that needs no picture takes the audio-only flavor
    assert choose_flavor([audio, video], [], need_for(make_task(ServiceFeature.ALIGNMENT))).flavor is audio


def test_the_editor_says_when_its_flavor_has_no_picture(qtbot, tmp_path, test_clip):
    import imageio_ffmpeg

    audio_only = tmp_path / "0_audioflavor.m4a"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(test_clip),
            "-vn",
            "-c:a",
            "copy",
            str(audio_only),
        ],
        check=True,
        timeout=60,
    )
    ed = open_editor(qtbot)
    ed.set_media(audio_only)
    qtbot.waitUntil(lambda: "audio only" in ed.media_label.text(), timeout=10000)
    assert "0_audioflavor" in ed.media_label.text()
    assert "no picture" in ed.video._message.text()
    assert ed.media_has_picture is False

    ed2 = open_editor(qtbot, task_id=102)
    ed2.set_media(test_clip)
    qtbot.waitUntil(lambda: "320×180" in ed2.media_label.text(), timeout=10000)
    assert ed2.media_has_picture is True
