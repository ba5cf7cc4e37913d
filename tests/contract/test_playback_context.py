"""Contract: baseEntry.getPlaybackContext as alpha/apps/kaltura/lib/kPlaybackContextDataHelper.php builds it
(docs/kaltura-contract.md, "getPlaybackContext"), and the app adding the KS as Kaltura's player does."""

from __future__ import annotations

import requests
from KalturaClient.Plugins.Caption import KalturaCaptionAsset
from KalturaClient.Plugins.Core import KalturaPlaybackContextOptions, KalturaStringResource

from reach_studio.engine.media_fetch import with_ks

from .kaltura import client, pending_task


def _task_client(emu):
    task = pending_task(emu)
    return task, client(emu, task["accessKey"])


def _context(c, entry_id, **options):
    return c.baseEntry.getPlaybackContext(entry_id, KalturaPlaybackContextOptions(**options))


def _set_tags(emu, entry_id, tags_by_params: dict[int, str]) -> None:
    for flavor in emu.store.find("flavor_asset", entryId=entry_id):
        if flavor["flavorParamsId"] in tags_by_params:
            emu.store.update("flavor_asset", flavor["id"], {"tags": tags_by_params[flavor["flavorParamsId"]]})


def test_flavor_assets_are_only_the_flavors_the_sources_play_never_the_source(emulator):
    task, c = _task_client(emulator)
    ctx = _context(c, task["entryId"])
    listed = {f.id for f in ctx.flavorAssets}
    in_sources = {i for s in ctx.sources for i in s.flavorIds.split(",")}
    assert listed == in_sources and listed
    source = emulator.inspect.objects("flavor_asset", entryId=task["entryId"], isOriginal=True)
    assert source and source[0]["id"] not in listed


def test_hls_takes_the_first_tag_group_any_flavor_has(emulator):
    task, c = _task_client(emulator)
    # no applembr anywhere: the ipadnew/iphonenew/h265/dash group decides
    _set_tags(emulator, task["entryId"], {301: "web,mbr,iphonenew", 302: "web,mbr,ipad", 303: "web,mbr,h265"})
    hls = next(s for s in _context(c, task["entryId"]).sources if s.format == "applehttp")
    by_params = {
        f["id"]: f["flavorParamsId"]
        for f in emulator.inspect.objects("flavor_asset", entryId=task["entryId"])
    }
    assert sorted(by_params[i] for i in hls.flavorIds.split(",")) == [301, 303]


def test_progressive_takes_widevine_then_mbr_then_web(emulator):
    task, c = _task_client(emulator)
    _set_tags(emulator, task["entryId"], {301: "web", 302: "web,mbr", 303: "web"})
    ctx = _context(c, task["entryId"], streamerType="http")
    by_params = {
        f["id"]: f["flavorParamsId"]
        for f in emulator.inspect.objects("flavor_asset", entryId=task["entryId"])
    }
    assert [by_params[i] for i in ctx.sources[0].flavorIds.split(",")] == [302]
    assert [f.flavorParamsId for f in ctx.flavorAssets] == [302]


def test_a_format_whose_tags_no_flavor_has_offers_no_source(emulator):
    task, c = _task_client(emulator)
    _set_tags(emulator, task["entryId"], {301: "mobile", 302: "mobile", 303: "audio_only"})
    ctx = _context(c, task["entryId"])
    assert ctx.sources == [] and ctx.flavorAssets == []


def test_playback_urls_carry_no_ks_and_the_app_adds_it_as_the_player_does(emulator):
    task, c = _task_client(emulator)
    ctx = _context(c, task["entryId"])
    for source in ctx.sources:
        assert "/ks/" not in source.url and "ks=" not in source.url
        assert requests.get(source.url, timeout=10).status_code == 403  # Kaltura needs the KS to play
        played = with_ks(source.url, task["accessKey"])
        assert played == f"{source.url}?ks={task['accessKey']}"  # the URL ends in a.m3u8 / a.mp4
        assert requests.get(played, timeout=30, allow_redirects=False).status_code in (200, 302)
    assert (
        with_ks("https://h/p/1/playManifest/entryId/0_e", "K")
        == "https://h/p/1/playManifest/entryId/0_e/ks/K"
    )
    assert with_ks("https://h/a.mp4?x=1", "K") == "https://h/a.mp4?x=1&ks=K"


def test_captions_added_with_a_moderated_key_are_not_shown_on_the_player(emulator):
    task = pending_task(emulator)
    emulator.store.update("reach_profile", task["reachProfileId"], {"autoDisplayHumanCaptionsOnPlayer": 0})
    moderated = emulator.control.add_task(
        partnerId=task["partnerId"],
        entryId=task["entryId"],
        catalogItemId=task["catalogItemId"],
        reachProfileId=task["reachProfileId"],
    )
    c = client(emulator, emulator.inspect.task(moderated)["accessKey"])
    asset = c.caption.captionAsset.add(
        task["entryId"], KalturaCaptionAsset(language="English", format="1", displayOnPlayer=True)
    )
    assert asset.displayOnPlayer is False
    c.caption.captionAsset.setContent(
        asset.id, KalturaStringResource(content="1\n00:00:00,000 --> 00:00:01,000\nHi\n")
    )
    assert asset.id not in {
        p.url.split("/captionAssetId/")[1].split("/")[0]
        for p in _context(c, task["entryId"]).playbackCaptions
    }
