"""Delivery plans per service feature: the steps, fields, files and references the vendor guide asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from reach_studio.domain.captions import Chapter, DescriptionCue
from reach_studio.domain.delivery_plan import (
    DeliveryPlan,
    PlanContext,
    PlanError,
    Ref,
    Step,
    UrlSource,
    WorkProduct,
    build_plan,
    cue_point_system_name,
    merge_tag_string,
    sign_language_suffix,
)
from reach_studio.domain.enums import OutputFormat, ServiceFeature
from tests.factories import make_doc, make_task

ENTRY = make_task().entry_id


def _uploaded_text(plan: DeliveryPlan, key: str) -> str:
    source = plan.step(key).source
    assert source is not None and source.data is not None
    return source.data.decode("utf-8-sig")


def test_captions_plan_sets_every_field_the_guide_names():
    task = make_task(ServiceFeature.CAPTIONS, source="English")
    plan = build_plan(task, WorkProduct(captions=make_doc(accuracy=99)))
    assert plan.keys == ["caption.add", "caption.upload", "caption.setContent", "task.ready"]
    add = plan.step("caption.add")
    assert add.service == "caption.captionAsset" and add.object_type == "KalturaCaptionAsset"
    assert add.entry == ENTRY
    assert dict(add.fields) == {
        "format": "1",
        "fileExt": "srt",
        "accuracy": 99,
        "language": "English",
        "isDefault": 1,
        "displayOnPlayer": True,
        "label": "English",
    }
    assert add.marker and f"task-{task.id}" in add.marker
    text = _uploaded_text(plan, "caption.upload")
    assert "00:00:02,000 --> 00:00:03,500" in text and "Line number 2" in text
    set_content = plan.step("caption.setContent")
    assert set_content.target == Ref("caption.add") and set_content.upload == Ref("caption.upload")
    assert set_content.wait == "asset"
    finish = plan.step("task.ready")
    assert finish.fields["status"] == 2
    assert finish.fields["outputObjectId"] == Ref("caption.add")
    assert finish.fields["accuracy"] == 99
    assert finish.fields["externalTaskId"]
    assert plan.output_step == "caption.add"


def test_output_format_follows_catalog_item_then_profile():
    task = make_task(ServiceFeature.CAPTIONS, output_format=OutputFormat.VTT)
    plan = build_plan(task, WorkProduct(captions=make_doc()))
    add = plan.step("caption.add")
    assert add.fields["format"] == "3" and add.fields["fileExt"] == "vtt"
    assert _uploaded_text(plan, "caption.upload").startswith("WEBVTT")
    task = make_task(ServiceFeature.CAPTIONS)
    task.reach_profile.default_output_format = OutputFormat.DFXP
    plan = build_plan(task, WorkProduct(captions=make_doc()))
    assert plan.step("caption.add").fields["format"] == "2"
    assert "http://www.w3.org/ns/ttml" in _uploaded_text(plan, "caption.upload")


def test_transcripts_are_attached_and_associated_with_the_caption():
    task = make_task(ServiceFeature.CAPTIONS, metadata=True)
    product = WorkProduct(
        captions=make_doc(), transcripts=("txt", "dfxp"), tags=("Physics", "physics", "energy")
    )
    plan = build_plan(task, product)
    assert plan.keys == [
        "caption.add",
        "caption.upload",
        "caption.setContent",
        "transcript.txt.add",
        "transcript.txt.upload",
        "transcript.txt.setContent",
        "transcript.dfxp.add",
        "transcript.dfxp.upload",
        "transcript.dfxp.setContent",
        "caption.associateTranscripts",
        "entry.tags",
        "task.ready",
    ]
    txt = plan.step("transcript.txt.add")
    assert txt.service == "attachment.attachmentAsset" and txt.object_type == "KalturaTranscriptAsset"
    assert (
        txt.fields["fileExt"] == "txt"
        and txt.fields["language"] == "English"
        and txt.fields["accuracy"] == 0.99
    )
    assert "Line number 3" in _uploaded_text(plan, "transcript.txt.upload")
    assoc = plan.step("caption.associateTranscripts")
    assert assoc.target == Ref("caption.add")
    assert assoc.fields["associatedTranscriptIds"] == (Ref("transcript.txt.add"), Ref("transcript.dfxp.add"))
    tags = plan.step("entry.tags")
    assert tags.op == "merge_tags" and tags.tag_field == "tags" and tags.target == ENTRY
    assert tags.append == ("Physics", "energy")  # duplicates (any case) dropped


def test_no_tags_without_metadata_extraction():
    task = make_task(ServiceFeature.CAPTIONS, metadata=False)
    plan = build_plan(task, WorkProduct(captions=make_doc(), tags=("physics",)))
    assert "entry.tags" not in plan.keys


def test_translation_is_not_default_uses_target_language_and_multilingual_tags():
    task = make_task(ServiceFeature.TRANSLATION, source="English", target="French", metadata=True)
    plan = build_plan(
        task, WorkProduct(captions=make_doc(language="French", accuracy=100), tags=("énergie",))
    )
    add = plan.step("caption.add")
    assert (
        add.fields["isDefault"] == 0
        and add.fields["language"] == "French"
        and add.fields["label"] == "French"
    )
    assert add.fields["displayOnPlayer"] is True
    ml = plan.step("entry.multilingualTags")
    assert ml.op == "merge_multilingual_tags" and ml.language == "FR" and ml.append == ("énergie",)
    assert plan.step("task.ready").fields["outputObjectId"] == Ref("caption.add")


def _audio(tmp_path: Path, name: str) -> Path:
    p = tmp_path / name
    p.write_bytes(b"\0" * 100)
    return p


def test_dubbing_plan_adds_dubbed_and_clear_audio_flavors(tmp_path):
    task = make_task(
        ServiceFeature.DUBBING,
        source="English",
        target="Japanese",
        flavor_params_id=200,
        clear_audio_flavor_params_id=201,
    )
    product = WorkProduct(
        main_audio=_audio(tmp_path, "dub.mp4"),
        clear_audio=_audio(tmp_path, "clear.mp4"),
        dub_captions=make_doc(accuracy=90, language="Japanese"),
    )
    plan = build_plan(task, product)
    assert plan.keys[:6] == [
        "dub.flavor.add",
        "dub.flavor.upload",
        "dub.flavor.setContent",
        "clear.flavor.add",
        "clear.flavor.upload",
        "clear.flavor.setContent",
    ]
    assert dict(plan.step("dub.flavor.add").fields) == {
        "flavorParamsId": 200,
        "isDefault": 0,
        "language": "Japanese",
        "label": "Japanese",
        "fileExt": "mp4",
    }
    clear = plan.step("clear.flavor.add").fields
    assert clear["flavorParamsId"] == 201 and clear["isDefault"] == 1 and clear["language"] == "English"
    cap = plan.step("dubCaption.add").fields
    assert (
        cap["label"] == "Japanese (Dub translation)"
        and cap["isDefault"] == 0
        and cap["displayOnPlayer"] is True
    )
    assert cap["accuracy"] == 90 and cap["language"] == "Japanese"
    assert plan.step("dub.flavor.upload").source.path == str(tmp_path / "dub.mp4")
    assert plan.output_step == "dub.flavor.add"
    assert plan.step("task.ready").fields["outputObjectId"] == Ref("dub.flavor.add")


def test_dub_caption_must_be_below_99_percent(tmp_path):
    task = make_task(
        ServiceFeature.DUBBING, target="Japanese", flavor_params_id=200, clear_audio_flavor_params_id=201
    )
    product = WorkProduct(
        main_audio=_audio(tmp_path, "dub.mp4"),
        clear_audio=_audio(tmp_path, "clear.mp4"),
        dub_captions=make_doc(accuracy=99),
    )
    with pytest.raises(PlanError, match="below 99"):
        build_plan(task, product)


def test_audio_description_track_label_and_missing_flavor_params(tmp_path):
    task = make_task(
        ServiceFeature.AUDIO_DESCRIPTION,
        source="English",
        flavor_params_id=200,
        clear_audio_flavor_params_id=201,
    )
    product = WorkProduct(main_audio=_audio(tmp_path, "ad.mp4"), clear_audio=_audio(tmp_path, "clear.mp4"))
    plan = build_plan(task, product)
    ad = plan.step("ad.flavor.add").fields
    assert (
        ad["label"] == "English - Audio description" and ad["flavorParamsId"] == 200 and ad["isDefault"] == 0
    )
    assert plan.output_step == "ad.flavor.add"
    task.catalog_item.clear_audio_flavor_params_id = None
    with pytest.raises(PlanError, match="clearAudioFlavorParamsId"):
        build_plan(task, product)
    with pytest.raises(PlanError, match="MP4"):
        task.catalog_item.clear_audio_flavor_params_id = 201
        build_plan(
            task, WorkProduct(main_audio=_audio(tmp_path, "ad.wav"), clear_audio=_audio(tmp_path, "c.mp4"))
        )


def test_extended_audio_description_caption_fields():
    task = make_task(ServiceFeature.EXTENDED_AUDIO_DESCRIPTION, source="English")
    cues = (DescriptionCue(5000, 10000, "A woman in a yellow shirt sits on a couch."),)
    plan = build_plan(task, WorkProduct(descriptions=cues))
    assert dict(plan.step("ead.add").fields) == {
        "label": "English Extended Audio Description",
        "language": "English",
        "isDefault": 0,
        "displayOnPlayer": False,
        "format": "3",
        "usage": "1",
        "fileExt": "vtt",
    }
    text = _uploaded_text(plan, "ead.upload")
    assert text.startswith("WEBVTT") and "00:00:05.000 --> 00:00:10.000" in text and "yellow shirt" in text
    assert plan.output_step == "ead.add"


def test_chapters_are_added_one_by_one_in_time_order():
    task = make_task(ServiceFeature.CHAPTERING)
    chapters = (Chapter(60000, "Second", "more"), Chapter(0, "Intro", "hello"))
    plan = build_plan(task, WorkProduct(chapters=chapters))
    assert plan.keys == ["chapter.001.add", "chapter.002.add", "task.ready"]
    first = plan.step("chapter.001.add")
    assert first.service == "cuePoint.cuePoint" and first.object_type == "KalturaThumbCuePoint"
    assert dict(first.fields) == {
        "entryId": ENTRY,
        "startTime": 0,
        "title": "Intro",
        "description": "hello",
        "subType": 2,
        # Kaltura refuses a second cue point with this name: a repeated add cannot make a second chapter
        "systemName": first.marker,
    }
    second = plan.step("chapter.002.add")
    assert second.fields["systemName"] == second.marker != first.marker
    assert plan.output_step == "chapter.001.add"
    with pytest.raises(PlanError, match="no title"):
        build_plan(task, WorkProduct(chapters=(Chapter(0, "  "),)))


def test_a_cue_point_system_name_fits_kalturas_column():
    long_marker = "reach-studio:task-1:chapter.001.add:by:" + "x" * 200
    name = cue_point_system_name(long_marker)
    assert len(name) == 127 and name != cue_point_system_name(long_marker + "y")
    assert cue_point_system_name("short") == "short"


def test_sign_language_child_entry(tmp_path):
    task = make_task(ServiceFeature.SIGN_LANGUAGE, source="English", target="English (ASL)")
    video = _audio(tmp_path, "sign.mp4")
    plan = build_plan(
        task,
        WorkProduct(sign_video=video),
        PlanContext(vendor_name="Acme Captioning", parent_entry_name="Lecture 1"),
    )
    assert plan.keys == [
        "signLang.entry.add",
        "signLang.entry.upload",
        "signLang.entry.addContent",
        "signLang.entry.link",
        "task.ready",
    ]
    assert plan.step("signLang.entry.add").fields["name"] == "Lecture 1 child signLangASL"
    add_content = plan.step("signLang.entry.addContent")
    assert add_content.service == "media" and add_content.wait == "entry"
    link = plan.step("signLang.entry.link")
    assert link.tag_field == "adminTags" and link.append == ("signLang", "signLangASL", "Acme Captioning")
    assert dict(link.fields) == {"parentEntryId": ENTRY}
    assert plan.output_step == "signLang.entry.add"
    with pytest.raises(PlanError, match="parent entry"):
        build_plan(task, WorkProduct(sign_video=video))
    assert sign_language_suffix("English (BSL)") == "BSL"


def test_url_resource_option_hides_auth_headers(tmp_path):
    task = make_task(ServiceFeature.AUDIO_DESCRIPTION, flavor_params_id=200, clear_audio_flavor_params_id=201)
    secret = "Authorization: Bearer very-secret-token"
    product = WorkProduct(
        main_audio=UrlSource("https://vendor.example/ad.mp4", (secret,)),
        clear_audio=_audio(tmp_path, "clear.mp4"),
    )
    plan = build_plan(task, product)
    assert "ad.flavor.upload" not in plan.keys
    step = plan.step("ad.flavor.setContent")
    assert step.source.url.url == "https://vendor.example/ad.mp4"
    text = plan.describe()
    assert "very-secret-token" not in text and "1 auth header" in text
    with pytest.raises(PlanError, match="http"):
        build_plan(
            task,
            WorkProduct(main_audio=UrlSource("file:///etc/passwd"), clear_audio=_audio(tmp_path, "c.mp4")),
        )


def test_plan_hash_is_stable_and_follows_content():
    task = make_task(ServiceFeature.CAPTIONS)
    a = build_plan(task, WorkProduct(captions=make_doc(3)))
    b = build_plan(task, WorkProduct(captions=make_doc(3)))
    c = build_plan(task, WorkProduct(captions=make_doc(4)))
    assert a.plan_hash == b.plan_hash != c.plan_hash
    text = a.describe()
    assert a.plan_hash in text and "caption.setContent" in text and "wait until READY" in text


def test_bad_input_gets_plan_errors():
    with pytest.raises(PlanError, match="empty"):
        build_plan(make_task(ServiceFeature.CAPTIONS), WorkProduct())
    with pytest.raises(PlanError, match="not supported"):
        build_plan(make_task(ServiceFeature.LIVE_CAPTION), WorkProduct(captions=make_doc()))
    with pytest.raises(PlanError, match="between 0 and 100"):
        build_plan(make_task(ServiceFeature.CAPTIONS), WorkProduct(captions=make_doc(accuracy=120)))
    with pytest.raises(PlanError, match="TXT or DFXP"):
        build_plan(make_task(ServiceFeature.CAPTIONS), WorkProduct(captions=make_doc(), transcripts=("pdf",)))
    with pytest.raises(PlanError, match="Cannot read"):
        build_plan(
            make_task(ServiceFeature.AUDIO_DESCRIPTION, flavor_params_id=1, clear_audio_flavor_params_id=2),
            WorkProduct(main_audio=Path("/nonexistent/a.mp4"), clear_audio=Path("/nonexistent/b.mp4")),
        )


def test_steps_may_only_refer_to_earlier_steps():
    late = Step(key="a", op="update", service="x", action="update", target=Ref("b"))
    with pytest.raises(PlanError, match="does not come before"):
        DeliveryPlan(
            task_id=1,
            entry_id="e",
            feature=ServiceFeature.CAPTIONS,
            steps=(late, Step(key="b", op="add", service="x", action="add")),
            output_step="b",
        )


def test_merge_tag_string_appends_without_duplicates():
    assert merge_tag_string("news, Physics", ["physics", "energy"]) == "news,Physics,energy"
    assert merge_tag_string("", ["a", "a"]) == "a"
    assert merge_tag_string(None, []) == ""


def test_speakers_are_written_as_the_catalog_item_and_profile_ask():
    from reach_studio.domain.captions import CaptionDocument, Cue

    doc = CaptionDocument(
        cues=[Cue(0, 1000, "Hello", "Anna"), Cue(1500, 2500, "Hi there", "Ben")], accuracy=99
    )
    labels = make_task(ServiceFeature.CAPTIONS)
    labels.catalog_item.enable_speaker_id = True
    assert "[Anna]" in _uploaded_text(build_plan(labels, WorkProduct(captions=doc)), "caption.upload")
    changes = make_task(ServiceFeature.CAPTIONS)
    changes.reach_profile.enable_speaker_change_indication = True
    text = _uploaded_text(build_plan(changes, WorkProduct(captions=doc)), "caption.upload")
    assert ">>" in text and "[Anna]" not in text


@pytest.mark.parametrize(
    "feature",
    [
        ServiceFeature.AUDIO_DESCRIPTION,
        ServiceFeature.DUBBING,
        ServiceFeature.CHAPTERING,
        ServiceFeature.EXTENDED_AUDIO_DESCRIPTION,
        ServiceFeature.SIGN_LANGUAGE,
        ServiceFeature.CAPTIONS,
    ],
)
def test_every_ready_carries_an_accuracy_whatever_the_service(feature, tmp_path):
    """The guide's general flow sets entryVendorTask.accuracy on every READY; for audio, chapters and video
    it leaves the value open: human work that passed the checks is vouched for at 100."""
    from reach_studio.domain.captions import Chapter, DescriptionCue
    from reach_studio.domain.delivery_plan import PlanContext

    track = tmp_path / "track.mp4"
    track.write_bytes(b"x")
    products = {
        ServiceFeature.AUDIO_DESCRIPTION: WorkProduct(main_audio=track, clear_audio=track),
        ServiceFeature.DUBBING: WorkProduct(main_audio=track, clear_audio=track),
        ServiceFeature.CHAPTERING: WorkProduct(chapters=(Chapter(0, "Start"),)),
        ServiceFeature.EXTENDED_AUDIO_DESCRIPTION: WorkProduct(
            descriptions=(DescriptionCue(0, 900, "A door"),)
        ),
        ServiceFeature.SIGN_LANGUAGE: WorkProduct(sign_video=track),
        ServiceFeature.CAPTIONS: WorkProduct(captions=make_doc(accuracy=None)),
    }
    task = make_task(
        feature,
        target="Japanese" if feature == ServiceFeature.DUBBING else "English (ASL)",
        flavor_params_id=200,
        clear_audio_flavor_params_id=201,
    )
    plan = build_plan(task, products[feature], PlanContext(parent_entry_name="Keynote"))
    assert plan.step("task.ready").fields["accuracy"] == 100


@pytest.mark.parametrize("fmt", [OutputFormat.SRT, OutputFormat.VTT])
def test_a_caption_file_kaltura_would_find_no_caption_in_is_refused_before_upload(fmt):
    """Kaltura parses every caption that becomes READY and ends it in ERROR when its content manager finds no
    cue (CaptionAsset::validateCaptionContent): SRT and WebVTT timecodes have two-digit hours, so a document
    whose only cue starts past 99:59:59 would be accepted, uploaded and then fail on Kaltura."""
    from reach_studio.domain.captions import CaptionDocument, Cue

    late = CaptionDocument(cues=[Cue(360_001_000, 360_002_000, "late")], language="English", accuracy=99)
    with pytest.raises(PlanError, match="find no caption"):
        build_plan(make_task(ServiceFeature.CAPTIONS, output_format=fmt), WorkProduct(captions=late))
    with pytest.raises(PlanError, match="empty"):
        build_plan(
            make_task(ServiceFeature.CAPTIONS, output_format=fmt),
            WorkProduct(captions=CaptionDocument(cues=[], language="English", accuracy=99)),
        )
    assert build_plan(
        make_task(ServiceFeature.CAPTIONS, output_format=fmt), WorkProduct(captions=make_doc(1))
    )
