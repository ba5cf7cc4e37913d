"""One delivery per feature through the real editors against the emulator: dubbing, audio description,
sign language. Asserts on what the emulator recorded (flavors, child entry, task status)."""

from __future__ import annotations

import pytest

from reach_studio.domain.captions import CaptionDocument, Cue
from reach_studio.domain.delivery_plan import marker
from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.formats import read_captions
from reach_studio.media.audio_delivery import check_aac_lc
from reach_studio.store.drafts import DraftStore, draft_key
from reach_studio.ui.editors.sign_language_editor import SignLanguageEditor
from reach_studio.ui.editors.voice_editor import VoiceEditor
from tests.delivery.conftest import claim, order_task
from tests.editor.test_deliver_e2e import confirm_delivery

from .conftest import decode_pcm, record_take, tone_level

pytestmark = pytest.mark.timeout(240)
RATE = 16000


def one(emu, kind, task_id, step, **filters):
    mark = marker(task_id, step, emu.inspect.task(task_id)["externalTaskId"])  # markers name the claimant
    found = [o for o in emu.inspect.objects(kind, **filters) if o.get("partnerData") == mark]
    assert len(found) == 1, (kind, step, len(found))
    return found[0]


def assert_ready(emu, task_id, output_id):
    record = emu.inspect.task(task_id)
    assert record["status"] == int(TaskStatus.READY)
    assert record["outputObjectId"] == output_id
    assert [h["status"] for h in emu.inspect.status_history(task_id)][-2:] == [3, 2]


def open_editor(qtbot, cls, ctx, **kw):
    editor = cls(ctx, player=None, **kw)
    qtbot.addWidget(editor)
    editor.resize(1200, 760)
    editor.show()
    return editor


def deliver(qtbot, editor):
    outcomes = []
    editor.delivered.connect(outcomes.append)
    editor.deliver_action.trigger()
    confirm_delivery(qtbot, editor)  # the summary of what will be uploaded comes first
    qtbot.waitUntil(lambda: editor._delivery_job is None, timeout=180_000)
    assert outcomes, editor.status.text()
    return outcomes[0]


def pcm_of(emu, object_id, tmp_path):
    path = tmp_path / f"{object_id}.mp4"
    path.write_bytes(emu.inspect.content(object_id))
    assert check_aac_lc(path) == []
    return decode_pcm(path, RATE)


def test_audio_description_recorded_at_the_playhead_reaches_ready(qtbot, emu, conn, tmp_path, voice_media):
    from reach_studio.ui.editors.registry import TaskContext

    task = claim(
        conn,
        order_task(
            emu,
            ServiceFeature.AUDIO_DESCRIPTION,
            source="English",
            flavorParamsId=200,
            clearAudioFlavorParamsId=201,
        ),
    )
    store = DraftStore(tmp_path / "drafts.sqlite3")
    ed = open_editor(
        qtbot,
        VoiceEditor,
        TaskContext(task, conn, store, media_path=voice_media["clip"]),
        take_player=None,
        recorder_reason="",
    )
    ed.seek(1500)
    ed.add_line_at_playhead()
    qtbot.keyClicks(ed.text_edit, "A door opens.")
    record_take(qtbot, ed, 0, seconds=1.3)  # 1 s kept after the dropped 300 ms
    outcome = deliver(qtbot, ed)
    assert outcome.ok, outcome.err_description

    track = one(emu, "flavor_asset", task.id, "ad.flavor.add", entryId=task.entry_id)
    clear = one(emu, "flavor_asset", task.id, "clear.flavor.add", entryId=task.entry_id)
    assert (track["label"], track["flavorParamsId"], track["isDefault"], track["language"]) == (
        "English - Audio description",
        200,
        0,
        "English",
    )
    assert (clear["flavorParamsId"], clear["isDefault"], clear["language"]) == (201, 1, "English")
    assert track["status"] == clear["status"] == 2
    described = pcm_of(emu, track["id"], tmp_path)
    assert tone_level(described, RATE, 1000, 1.7, 2.3) > 0.1  # the description is heard at 1.5 s...
    assert tone_level(described, RATE, 1000, 0.2, 1.2) < 0.01  # ...not before
    assert tone_level(described, RATE, 440, 1.7, 2.3) < 0.4 * tone_level(described, RATE, 440, 0.2, 1.2)
    original = pcm_of(emu, clear["id"], tmp_path)
    assert tone_level(original, RATE, 1000, 1.7, 2.3) < 0.01  # the clear track has no description
    assert_ready(emu, task.id, track["id"])
    assert store.load(draft_key(task.account, task.id)) is None
    assert "READY" in ed.status.text()
    assert ed.locked and not ed.deliver_action.isEnabled() and not ed.text_edit.isEnabled()
    ed.close()  # closing a delivered task leaves no draft behind
    assert store.load(draft_key(task.account, task.id)) is None


def _claimed_japanese_dubbing(emu, conn):
    """An English → Japanese dubbing task whose catalog item asks for a mix flavor and a clear-audio flavor."""
    return claim(
        conn,
        order_task(
            emu,
            ServiceFeature.DUBBING,
            source="English",
            target="Japanese",
            flavorParamsId=200,
            clearAudioFlavorParamsId=201,
        ),
    )


def test_dubbing_from_the_translated_captions_with_a_dub_caption(qtbot, emu, conn, tmp_path, voice_media):
    from reach_studio.ui.editors.registry import TaskContext

    task = _claimed_japanese_dubbing(emu, conn)
    source = CaptionDocument([Cue(200, 1200, "おはよう"), Cue(2500, 3500, "さようなら")], language="Japanese")
    store = DraftStore(tmp_path / "drafts.sqlite3")
    ed = open_editor(
        qtbot,
        VoiceEditor,
        TaskContext(task, conn, store, media_path=voice_media["clip"], source_captions=source),
        take_player=None,
        recorder_reason="",
    )
    assert [(ln.start_ms, ln.text) for ln in ed.script.lines] == [(200, "おはよう"), (2500, "さようなら")]
    for row in (0, 1):  # recorded elsewhere: imported
        job = ed.import_take_path(row, voice_media["take"])
        qtbot.waitUntil(lambda r=row: ed.script.lines[r].has_take, timeout=20_000)
        assert job is not None
    ed.dub_caption_box.setChecked(True)
    ed.accuracy_box.setValue(90)
    outcome = deliver(qtbot, ed)
    assert outcome.ok, outcome.err_description

    dubbed = one(emu, "flavor_asset", task.id, "dub.flavor.add", entryId=task.entry_id)
    clear = one(emu, "flavor_asset", task.id, "clear.flavor.add", entryId=task.entry_id)
    assert (dubbed["flavorParamsId"], dubbed["isDefault"], dubbed["language"], dubbed["label"]) == (
        200,
        0,
        "Japanese",
        "Japanese",
    )
    assert (clear["flavorParamsId"], clear["isDefault"], clear["language"]) == (201, 1, "English")
    pcm = pcm_of(emu, dubbed["id"], tmp_path)
    assert tone_level(pcm, RATE, 1000, 2.6, 3.4) > 0.1 and tone_level(pcm, RATE, 1000, 1.5, 2.2) < 0.01
    cap = one(emu, "caption_asset", task.id, "dubCaption.add", entryId=task.entry_id)
    assert (cap["label"], cap["language"], cap["accuracy"]) == ("Japanese (Dub translation)", "Japanese", 90)
    cues = read_captions(emu.inspect.content(cap["id"])).cues
    assert [(c.start_ms, c.end_ms, c.text) for c in cues] == [
        (200, 1200, "おはよう"),
        (2500, 3500, "さようなら"),
    ]
    assert_ready(emu, task.id, dubbed["id"])


def test_sign_language_child_entry_reaches_ready(qtbot, emu, conn, tmp_path, voice_media):
    from reach_studio.ui.editors.registry import TaskContext

    task = claim(
        conn,
        order_task(
            emu,
            ServiceFeature.SIGN_LANGUAGE,
            source="English",
            target="English (ASL)",
            entry_name="Town hall",
        ),
    )
    ed = open_editor(qtbot, SignLanguageEditor, TaskContext(task, conn, DraftStore(tmp_path / "d.sqlite3")))
    assert not ed.deliver()  # nothing chosen yet
    assert "choose the signed video" in ed.status.text()
    ed.set_sign_video(voice_media["signed"])
    qtbot.waitUntil(lambda: ed.info is not None, timeout=10_000)
    texts = [ed.checks_list.item(i).text() for i in range(ed.checks_list.count())]
    assert any("Video stream: h264, 160×120" in t for t in texts)
    assert any("shorter than the entry" in t for t in texts)  # 2 s video for a 20 s entry: a warning only
    outcome = deliver(qtbot, ed)
    assert outcome.ok, outcome.err_description
    child = one(emu, "entry", task.id, "signLang.entry.add")
    assert child["name"] == "Town hall child signLangASL"
    assert child["parentEntryId"] == task.entry_id
    assert child["adminTags"].split(",")[:2] == ["signLang", "signLangASL"]
    assert emu.inspect.content(child["id"]) == voice_media["signed"].read_bytes()
    assert_ready(emu, task.id, child["id"])


def test_a_file_without_video_blocks_sign_language_delivery(qtbot, emu, conn, tmp_path, voice_media):
    from reach_studio.ui.editors.registry import TaskContext

    task = claim(conn, order_task(emu, ServiceFeature.SIGN_LANGUAGE, target="English (ASL)"))
    ed = open_editor(qtbot, SignLanguageEditor, TaskContext(task, conn, DraftStore(tmp_path / "d.sqlite3")))
    ed.set_sign_video(voice_media["take"])  # audio only
    qtbot.waitUntil(lambda: ed.info is not None, timeout=10_000)
    assert not ed.deliver()
    assert "no video stream" in ed.status.text()
    assert ed._delivery_job is None  # no delivery started, so nothing can reach Kaltura
    assert emu.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)
    assert emu.inspect.objects("entry", parentEntryId=task.entry_id) == []


def test_dub_script_starts_from_the_entrys_target_language_captions(qtbot, emu, conn, tmp_path):
    from reach_studio.emulator.seed import add_caption_asset
    from reach_studio.ui.editors.registry import TaskContext

    task = _claimed_japanese_dubbing(emu, conn)
    (entry,) = emu.inspect.objects("entry", id=task.entry_id)
    add_caption_asset(emu, entry, "1\n00:00:01,000 --> 00:00:02,000\nHello\n", accuracy=100)
    add_caption_asset(
        emu,
        entry,
        "1\n00:00:01,000 --> 00:00:02,500\nこんにちは\n\n2\n00:00:03,000 --> 00:00:04,000\nまたね\n",
        accuracy=95,
        language="Japanese",
        label="Japanese",
    )
    ed = open_editor(
        qtbot,
        VoiceEditor,
        TaskContext(task, conn, DraftStore(tmp_path / "d.sqlite3")),
        take_player=None,
        recorder_reason="",
    )
    qtbot.waitUntil(lambda: len(ed.script.lines) == 2, timeout=20_000)
    assert [(ln.start_ms, ln.end_ms, ln.text) for ln in ed.script.lines] == [
        (1000, 2500, "こんにちは"),
        (3000, 4000, "またね"),
    ]
    assert "2 lines from the entry's Japanese captions" in ed.status.text()
    assert emu.inspect.task(task.id)["status"] == int(TaskStatus.PROCESSING)  # 95 % is fine for a dub script
