"""KalturaLanguage names (what captionAsset.language, flavorAsset.language etc. accept) and their codes.

Kaltura's Core `KalturaLanguage` is a string enum of English language *names* ("English", "Spanish",
576 of them) and `KalturaLanguageCode` holds the short codes under the same constant names. The
emulator reads both tables from the official client package, which is a dependency anyway, rather
than copying 1,100 strings into our tree; an unknown name is then refused the way Kaltura refuses it.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    from KalturaClient.Plugins.Core import KalturaLanguage, KalturaLanguageCode

    names = {
        key: value for key, value in vars(KalturaLanguage).items() if key.isupper() and isinstance(value, str)
    }
    codes = {
        key: value
        for key, value in vars(KalturaLanguageCode).items()
        if key.isupper() and isinstance(value, str)
    }
    name_to_code = {name: codes.get(key, "") for key, name in names.items()}
    return name_to_code, names


def language_names() -> list[str]:
    """Every KalturaLanguage value, sorted."""
    return sorted(_tables()[0])


def is_language(name: str) -> bool:
    """True when `name` is a KalturaLanguage value (an English name such as "English")."""
    return name in _tables()[0]


def language_code(name: str | None) -> str:
    """KalturaLanguageCode of a KalturaLanguage name ("English" -> "en"), "" when unknown."""
    if not name:
        return ""
    return _tables()[0].get(name, "")
