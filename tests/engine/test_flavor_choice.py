"""Flavor choice: the profile's flavorParamsIds in order (the guide's examples); when they name nothing offered,
by need among what is offered, saying so; by need without a profile."""

from __future__ import annotations

import pytest

from reach_studio.domain.enums import ServiceFeature, TaskStatus
from reach_studio.domain.flavor_choice import FlavorInfo, Need, NoSuitableFlavor, choose_flavor, need_for
from reach_studio.domain.task import Task


def fl(pid, w=640, h=360, br=800, original=False, status=2):
    return FlavorInfo(
        id=f"0_f{pid}",
        flavor_params_id=pid,
        width=w,
        height=h,
        bitrate=br,
        is_original=original,
        status=status,
    )


SOURCE = fl(0, 1280, 720, 3000, original=True)
SMALL = fl(301, 320, 180, 300)
LARGE = fl(302, 640, 360, 800)
AUDIO = fl(303, 0, 0, 64)
ALL = [SOURCE, SMALL, LARGE, AUDIO]


def test_guide_example_1_3_5_vs_2_4_5_takes_5():
    choice = choose_flavor([fl(2), fl(4), fl(5)], [1, 3, 5], Need.AUDIO)
    assert choice.flavor.flavor_params_id == 5 and choice.from_profile


def test_guide_example_1_3_5_vs_1_3_7_takes_1():
    choice = choose_flavor([fl(7), fl(3), fl(1)], [1, 3, 5], Need.VIDEO)
    assert choice.flavor.flavor_params_id == 1


def test_profile_order_beats_need_and_skips_unready():
    choice = choose_flavor([SMALL, fl(303, 0, 0, 64, status=1), LARGE], [999, 303, 301], Need.AUDIO)
    assert choice.flavor is SMALL  # 303 exists but is not ready


def test_profile_naming_nothing_offered_still_gets_media_and_says_which():
    offered = [SMALL, LARGE, AUDIO]  # what getPlaybackContext lists: never the source
    choice = choose_flavor(offered, [0, 999], Need.AUDIO)
    assert choice.flavor is AUDIO and not choice.from_profile
    assert "flavorParamsIds (0,999) name no flavor Kaltura offers" in choice.reason
    assert "offered: 301,302,303" in choice.reason and "using flavor params 303" in choice.reason
    assert choose_flavor(offered, [0], Need.VIDEO).flavor is LARGE
    with pytest.raises(NoSuitableFlavor):  # only when nothing at all is offered
        choose_flavor([], [0], Need.AUDIO)


def test_next_in_the_profile_order_when_the_first_is_not_offered():
    choice = choose_flavor([SMALL, LARGE, AUDIO], [0, 302, 301], Need.AUDIO)
    assert choice.flavor is LARGE and choice.from_profile and "0 not offered" in choice.reason


def test_by_need_without_profile():
    assert choose_flavor(ALL, [], Need.AUDIO).flavor is AUDIO
    audio_source = fl(0, 0, 0, 256, original=True)
    assert (
        choose_flavor([audio_source, AUDIO], [], Need.AUDIO).flavor is AUDIO
    )  # the compact one, not the source
    assert choose_flavor(ALL, None, Need.VIDEO).flavor is LARGE
    assert choose_flavor(ALL, [], Need.SOURCE).flavor is SOURCE
    assert choose_flavor([SOURCE, SMALL, LARGE], [], Need.AUDIO).flavor is SMALL
    assert choose_flavor([SOURCE, SMALL], [], Need.VIDEO).flavor is SMALL
    assert choose_flavor([SOURCE], [], Need.VIDEO).flavor is SOURCE
    assert choose_flavor([AUDIO], [], Need.VIDEO).flavor is AUDIO
    with pytest.raises(NoSuitableFlavor):
        choose_flavor([fl(1, status=1)], [], Need.AUDIO)


def _task(feature):
    return Task(
        id=1,
        partner_id=1,
        vendor_partner_id=1,
        entry_id="0_e",
        status=TaskStatus.PENDING,
        catalog_item_id=1,
        reach_profile_id=1,
        service_feature=feature,
    )


@pytest.mark.parametrize(
    "feature,need",
    [
        (ServiceFeature.CAPTIONS, Need.VIDEO),  # captions are timed to the picture (shot changes)
        (ServiceFeature.TRANSLATION, Need.VIDEO),
        (ServiceFeature.ALIGNMENT, Need.AUDIO),
        (ServiceFeature.AUDIO_DESCRIPTION, Need.VIDEO),
        (ServiceFeature.EXTENDED_AUDIO_DESCRIPTION, Need.VIDEO),
        (ServiceFeature.CHAPTERING, Need.VIDEO),
        (ServiceFeature.SIGN_LANGUAGE, Need.VIDEO),
        (ServiceFeature.DUBBING, Need.VIDEO),
    ],
)
def test_need_by_feature(feature, need):
    assert need_for(_task(feature)) is need
    assert need_for(_task(feature), prefer_source=True) is Need.SOURCE


def test_from_client_fields():
    f = FlavorInfo.from_fields(
        {
            "id": "0_a",
            "flavorParamsId": "303",
            "width": "0",
            "height": "0",
            "bitrate": "64",
            "isOriginal": False,
            "status": 2,
        }
    )
    assert f.audio_only and f.ready and f.flavor_params_id == 303
