"""Getting a task's media onto the linguist's disk: playback context, flavor choice, HLS or HTTP, a cache.

Why it exists: the vendor guide prescribes the route (getPlaybackContext with applehttp first, http
when no valid HLS source comes back; the profile's flavorParamsIds in order — and when they name no flavor
Kaltura offers, a flavor chosen by need, saying so; the task's accessKey for every request, the
playManifest URL narrowed to the one chosen flavor) and the customer's profile says when our copy must be
deleted. Kaltura's playback URLs carry no KS: `with_ks` adds it the way Kaltura's web player does. The downloaders themselves live in media/ (parallel HLS with resume,
ranged HTTP); this module orchestrates them and keeps the local cache under a size cap.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from reach_studio import paths
from reach_studio.domain.enums import ContentDeletionPolicy
from reach_studio.domain.flavor_choice import (
    FlavorChoice,
    FlavorInfo,
    Need,
    NoSuitableFlavor,
    choose_flavor,
    choose_from_profile,
    need_for,
)
from reach_studio.domain.progress import CancelToken, ProgressCallback
from reach_studio.domain.task import Task
from reach_studio.kaltura import reach_api
from reach_studio.kaltura.connection import ReachConnection, ReachError
from reach_studio.key_scope import KeyScope, safe_transport
from reach_studio.media.errors import AccessRefused, MediaError

log = logging.getLogger(__name__)

DEFAULT_CAP_BYTES = 20 * 1024**3
KEY_RENEWALS = 2  # fresh keys one download may ask for after its key was refused (an expired KS)
_POLICY_SECONDS = {
    ContentDeletionPolicy.DELETE_AFTER_WEEK: 7 * 86400,
    ContentDeletionPolicy.DELETE_AFTER_MONTH: 30 * 86400,
    ContentDeletionPolicy.DELETE_AFTER_THREE_MONTHS: 90 * 86400,
}


class MediaFetchError(Exception):
    """The task's media could not be fetched (the message says why, without secrets).

    `permanent` is True when trying again cannot help (e.g. the customer asks for flavors the entry does
    not have): the caller may then offer to send the task to ERROR with this message.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class FetchResult:
    path: Path
    choice: FlavorChoice
    protocol: str  # "hls" | "http" | "cache"
    size: int
    duration_ms: int | None


@dataclass(frozen=True)
class StreamSource:
    """Where a player can play the task's flavor while it downloads: the playback URL with the task's KS
    (only toward a host the key scope allows; only over HTTPS or loopback). The URL is a secret: it is
    kept out of repr, and nothing may log it."""

    url: str
    choice: FlavorChoice
    protocol: str  # "hls" | "http"
    duration_ms: int | None
    plain_url: str = field(default="", compare=False)  # `url` without the KS
    keyed: bool = False  # the KS rides in `url` (its host is in the key scope)

    def __repr__(self) -> str:
        return f"StreamSource(protocol={self.protocol!r}, flavor={self.choice.flavor.id!r})"

    def with_key(self, ks: str) -> StreamSource:
        """The same stream with another KS (the task's key was extended: the old one will expire)."""
        if not self.keyed or not self.plain_url or not ks:
            return self
        return replace(self, url=with_ks(self.plain_url, ks))


class MediaCache:
    """Downloaded media under paths.cache_dir()/media, least recently used first out above `cap_bytes`."""

    def __init__(self, root: Path | None = None, cap_bytes: int = DEFAULT_CAP_BYTES) -> None:
        self.root = Path(root) if root else paths.cache_dir() / "media"
        self.root.mkdir(parents=True, exist_ok=True)
        self.cap_bytes = cap_bytes

    def task_dir(self, task: Task) -> Path:
        """<root>/<account hash>/<partner id>/<entry id>; raises paths.UnsafePathPart for a hostile id."""
        account = hashlib.sha1(task.account.encode()).hexdigest()[:10]
        partner = paths.safe_part(task.partner_id, "partner id")
        return self.root / account / partner / paths.safe_part(task.entry_id, "entry id")

    def path_for(self, task: Task, flavor: FlavorInfo) -> Path:
        ext = "m4a" if flavor.audio_only else "mp4"
        return self.task_dir(task) / f"{paths.safe_part(flavor.id, 'flavor id')}.{ext}"

    def _media_files(self) -> list[Path]:
        return [p for p in self.root.rglob("*") if p.is_file() and p.suffix in (".mp4", ".m4a")]

    def size(self) -> int:
        total = 0
        for p in self.root.rglob("*"):
            try:
                if p.is_file():
                    total += p.stat().st_size
            except OSError:
                pass
        return total

    def touch(self, path: Path) -> None:
        os.utime(path, None)

    def enforce_cap(self, keep: set[Path] | None = None) -> list[Path]:
        """Delete least recently used media until the cache fits its cap; never the files in `keep`."""
        keep = {Path(p).resolve() for p in keep or set()}
        total = self.size()
        removed: list[Path] = []
        if total <= self.cap_bytes:
            return removed
        for path in sorted(self._media_files(), key=lambda p: p.stat().st_mtime):
            if total <= self.cap_bytes:
                break
            if path.resolve() in keep:
                continue
            size = path.stat().st_size
            self._remove(path)
            total -= size
            removed.append(path)
        return removed

    def _remove(self, path: Path) -> None:
        if not paths.inside(self.root, path):
            log.warning("Not deleting %s: it is outside the media cache", path)
            return
        path.unlink(missing_ok=True)
        _marker(path).unlink(missing_ok=True)
        for leftover in path.parent.glob(f".{path.name}*"):  # segment work folders / partial files
            _rmtree(leftover)
        for leftover in path.parent.glob(f"{path.name}.*"):
            _rmtree(leftover)

    def delete_task_media(self, task: Task) -> list[Path]:
        try:
            folder = self.task_dir(task)
        except paths.UnsafePathPart as exc:
            log.warning("Not deleting media of task %s: %s", task.id, exc)
            return []
        if not folder.exists() or not paths.inside(self.root, folder):
            return []
        removed = [p for p in folder.rglob("*") if p.is_file()]
        _rmtree(folder)
        return removed

    def after_delivery(self, task: Task, now: float | None = None) -> list[Path]:
        """Apply the profile's content deletion policy once the task is delivered.

        DELETE_ONCE_PROCESSED deletes at once; the week/month policies schedule the deletion
        (see purge_due). Returns what was deleted now.
        """
        policy = task.reach_profile.content_deletion_policy if task.reach_profile else None
        if policy == ContentDeletionPolicy.DELETE_ONCE_PROCESSED:
            removed = self.delete_task_media(task)
            log.info("Deleted %d media file(s) of task %s (content deletion policy)", len(removed), task.id)
            return removed
        if policy in _POLICY_SECONDS:
            deadline = (time.time() if now is None else now) + _POLICY_SECONDS[policy]
            try:
                folder = self.task_dir(task)
            except paths.UnsafePathPart as exc:
                log.warning("No media of task %s to schedule for deletion: %s", task.id, exc)
                return []
            if folder.exists() and paths.inside(self.root, folder):
                for media in folder.iterdir():
                    if media.is_file() and media.suffix in (".mp4", ".m4a"):
                        _marker(media).write_text(json.dumps({"delete_after": deadline}), "utf-8")
        return []

    def purge_due(self, now: float | None = None) -> list[Path]:
        """Delete media whose scheduled deletion time has passed."""
        now = time.time() if now is None else now
        removed = []
        for media in self._media_files():
            marker = _marker(media)
            try:
                deadline = json.loads(marker.read_text("utf-8"))["delete_after"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if now >= deadline:
                self._remove(media)
                removed.append(media)
        return removed


def _marker(media: Path) -> Path:
    return media.with_name(media.name + ".delete-after.json")


def _rmtree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            _rmtree(child)
        path.rmdir()
    else:
        path.unlink(missing_ok=True)


def with_ks(url: str, ks: str) -> str:
    """The KS added to a playback URL as Kaltura's web player does (playkit-js-providers,
    OVPProviderParser.addKsToUrl): `?ks=`/`&ks=` when the last path part has an extension, else `/ks/<ks>`."""
    if not ks:
        return url
    last = url.split("?", 1)[0].rsplit("/", 1)[-1]
    if "." in last:
        return url + ("&ks=" if "?" in url else "?ks=") + ks
    return url + "/ks/" + ks


def playable_url(url: str, ks: str, scope: KeyScope) -> str:
    """A playback URL as Kaltura's player plays it (with_ks), but only toward a host the key may go to."""
    return with_ks(url, ks) if scope.allows(url) else url


def narrow_to_flavor(url: str, flavor_id: str) -> str:
    """The playManifest URL with /flavorIds/ holding only the chosen flavor (vendor guide, step 2)."""
    if re.search(r"/flavorIds?/[^/]+", url):
        return re.sub(r"/flavorIds?/[^/]+", f"/flavorIds/{flavor_id}", url, count=1)
    match = re.search(r"(/entryId/[^/]+)", url)
    if match:
        return url[: match.end()] + f"/flavorIds/{flavor_id}" + url[match.end() :]
    return url


def _flavors(ctx: dict) -> list[FlavorInfo]:
    return [FlavorInfo.from_fields(f) for f in ctx.get("flavorAssets") or [] if isinstance(f, dict)]


def _source(ctx: dict, formats: tuple[str, ...], flavor_id: str) -> dict | None:
    for src in ctx.get("sources") or []:
        if not isinstance(src, dict) or src.get("format") not in formats or not src.get("url"):
            continue
        ids = [i for i in str(src.get("flavorIds") or "").split(",") if i]
        if not ids or flavor_id in ids:
            return src
    return None


def fetch_task_media(
    conn: ReachConnection,
    task: Task,
    *,
    cache: MediaCache | None = None,
    need: Need | None = None,
    progress: ProgressCallback | None = None,
    token: CancelToken | None = None,
    workers: int = 8,
    on_stream: Callable[[StreamSource], None] | None = None,
    on_segment: Callable[[object], None] | None = None,
    on_waveform: Callable[[object], None] | None = None,
) -> FetchResult:
    """Download the right flavor of the task's entry (HLS first, then HTTP), verified, into the cache.

    Before the download starts, `on_stream` gets the URL a player can play meanwhile (not when the
    media is already cached, nor when the URL would carry the key over plain HTTP to another machine);
    `on_segment` gets each HLS segment as it lands (media.hls_fetch.SegmentArrived); with `on_waveform`
    their audio is decoded on a thread of its own and the waveform so far (media.waveform.Waveform, with
    `arrived` ranges) is handed over a few times a second. Callbacks come from worker threads. When those
    segments made the whole file, their waveform becomes the file's cached peaks (media.waveform.adopt_as_cache):
    the audio is not decoded a second time.
    """
    if on_waveform is None:
        return _fetch_task_media(conn, task, cache, need, progress, token, workers, on_stream, on_segment)
    from reach_studio.media.waveform import StreamingPeaks

    peaks: list[StreamingPeaks] = []

    def stream(source: StreamSource) -> None:
        if source.protocol == "hls" and source.duration_ms and not peaks:
            peaks.append(StreamingPeaks(source.duration_ms, on_waveform))
        if on_stream is not None:
            on_stream(source)

    def segment(seg) -> None:
        if peaks:
            peaks[0].segment_arrived(seg)
        if on_segment is not None:
            on_segment(seg)

    try:
        result = _fetch_task_media(
            conn, task, cache, need, progress, token, workers, stream, segment, keep_segments=True
        )
    except BaseException:
        for builder in peaks:
            builder.cancel()
        raise
    try:
        for builder in peaks:  # what is queued is still drawn (the segments are kept until it is)
            builder.finish()
            _adopt_streamed_peaks(builder, result)
    finally:
        if result.protocol == "hls":
            from reach_studio.media.hls_fetch import segments_dir

            _rmtree(segments_dir(result.path))
    return result


def _adopt_streamed_peaks(builder, result: FetchResult, timeout_s: float = 120.0) -> bool:
    """The streamed waveform as the file's cached peaks, when it drew all of the file's audio."""
    from reach_studio.media.waveform import adopt_as_cache

    if not builder.join(timeout_s):
        builder.cancel()
        log.info("The streamed waveform was not complete in time; the file's is drawn from the file")
        return False
    if result.protocol != "hls" or builder.errors or not builder.exact or not result.duration_ms:
        return False  # not all of it, or placed by the playlist's times: the file is decoded instead
    return adopt_as_cache(result.path, builder.wave.snapshot(), result.duration_ms)


def stream_source(
    conn: ReachConnection, task: Task, *, cache: MediaCache | None = None, need: Need | None = None
) -> StreamSource | None:
    """What a player can stream for the task right now, without downloading anything: the same flavor and
    URL the download will offer (`on_stream`), found as soon as the claim is written, so the player can
    open it while the claim is confirmed. None when the media is cached or only plain HTTP is offered
    (the file plays once downloaded then). The duration is the task's, when it carries one (no extra call)."""
    cache = cache or MediaCache()
    hls_ctx, http_ctx, choice = _choose(conn, task, cache, need)
    if cache.path_for(task, choice.flavor).exists():
        return None
    scope = KeyScope.for_playback(conn.service_url, hls_ctx, http_ctx)
    source = _source(hls_ctx, ("applehttp",), choice.flavor.id)
    protocol = "hls"
    if source is None:
        http_ctx = http_ctx or _http_context(conn, task)
        scope = KeyScope.for_playback(conn.service_url, hls_ctx, http_ctx)
        source, protocol = _source(http_ctx, ("url", "http"), choice.flavor.id), "http"
    if source is None:
        return None
    found: list[StreamSource] = []
    _tell_stream(
        found.append,
        source["url"],
        choice.flavor.id,
        task.access_key,
        scope,
        choice,
        protocol,
        task.entry_duration_ms,
    )
    return found[0] if found else None


def _choose(
    conn: ReachConnection, task: Task, cache: MediaCache, need: Need | None
) -> tuple[dict, dict | None, FlavorChoice]:
    """The playback contexts (applehttp, and http when needed) and the flavor the task plays."""
    try:
        cache.task_dir(task)  # a hostile entry id is refused before anything is fetched or written
    except paths.UnsafePathPart as exc:
        raise MediaFetchError(str(exc)) from None
    need = need or need_for(task)
    profile_ids = task.reach_profile.flavor_params_ids if task.reach_profile else []
    try:
        hls_ctx = reach_api.playback_context(conn, task, "applehttp")
    except ReachError as exc:
        raise MediaFetchError(
            f"Could not get the playback context of entry {task.entry_id}: {exc.message}"
        ) from None
    flavors = _flavors(hls_ctx)
    http_ctx: dict | None = None
    if not flavors or (profile_ids and choose_from_profile(flavors, profile_ids, need) is None):
        # progressive HTTP offers flavors by other tags (mbr, web): the profile's flavor may be there
        http_ctx = _http_context(conn, task)
        http_flavors = _flavors(http_ctx)
        if not flavors or (profile_ids and choose_from_profile(http_flavors, profile_ids, need)):
            flavors = http_flavors or flavors
    try:
        choice = choose_flavor(flavors, profile_ids, need)
    except NoSuitableFlavor as exc:
        raise MediaFetchError(str(exc), permanent=True) from None
    if profile_ids and not choice.from_profile:
        log.warning("Task %s: %s", task.id, choice.reason)
    return hls_ctx, http_ctx, choice


def _fetch_task_media(
    conn, task, cache, need, progress, token, workers, on_stream, on_segment, keep_segments=False
) -> FetchResult:
    cache = cache or MediaCache()
    hls_ctx, http_ctx, choice = _choose(conn, task, cache, need)
    flavor = choice.flavor
    try:
        dest = cache.path_for(task, flavor)
    except paths.UnsafePathPart as exc:
        raise MediaFetchError(str(exc)) from None
    expected = task.entry_duration_ms or _entry_duration_ms(conn, task)
    if dest.exists():
        cache.touch(dest)
        return FetchResult(dest, choice, "cache", dest.stat().st_size, expected)
    # The key goes only to the service host and the hosts Kaltura named for this entry (key_scope.py).
    scope = KeyScope.for_playback(conn.service_url, hls_ctx, http_ctx)
    log.info(
        "Fetching flavor %s (params %s) of entry %s for task %s: %s",
        flavor.id,
        flavor.flavor_params_id,
        task.entry_id,
        task.id,
        choice.reason,
    )
    source = _source(hls_ctx, ("applehttp",), flavor.id)
    result: FetchResult | None = None
    hls_problem = ""
    hls_offered = source is not None
    if source is not None:
        hls_source, told = source, []

        def hls(ks: str) -> FetchResult:
            if ks not in told:  # the player plays with the key the download uses (a fresh one: again)
                told.append(ks)
                _tell_stream(on_stream, hls_source["url"], flavor.id, ks, scope, choice, "hls", expected)
            url = playable_url(hls_source["url"], ks, scope)
            key = {"X-Kaltura-Ks": ks}
            return _fetch_hls(
                url, dest, choice, expected, key, scope, progress, token, workers, on_segment, keep_segments
            )

        try:
            result = _with_current_key(conn, task, hls)
        except MediaError as exc:
            hls_problem = conn.redact(str(exc), (task.access_key,))
            log.warning(
                "HLS download of task %s failed (%s); trying progressive download", task.id, hls_problem
            )
    if result is None:
        http_ctx = http_ctx or _http_context(conn, task)
        source = _source(http_ctx, ("url", "http"), flavor.id)
        if source is None:
            why = f" (HLS: {hls_problem})" if hls_problem else ""
            raise MediaFetchError(
                f"Entry {task.entry_id} offers no download source for flavor {flavor.id}{why}"
            )
        scope = KeyScope.for_playback(conn.service_url, hls_ctx, http_ctx)
        http_source = source

        def http(ks: str) -> FetchResult:
            if not hls_offered:  # a player already on the HLS stream keeps it
                _tell_stream(on_stream, http_source["url"], flavor.id, ks, scope, choice, "http", expected)
            url = playable_url(http_source["url"], ks, scope)
            return _fetch_http(url, dest, choice, expected, {"X-Kaltura-Ks": ks}, scope, progress, token)

        try:
            result = _with_current_key(conn, task, http)
        except MediaError as exc:
            raise MediaFetchError(conn.redact(str(exc), (task.access_key,))) from None
    cache.touch(result.path)
    cache.enforce_cap(keep={result.path})
    return result


def _with_current_key(
    conn: ReachConnection, task: Task, attempt: Callable[[str], FetchResult]
) -> FetchResult:
    """`attempt(ks)` with the task's current key. A refused key (it expired: the key keeper extends keys
    before that, but a laptop asleep past the expiry, or Kaltura, may differ) is replaced by the one the
    keeper got meanwhile, else by a fresh one (extendAccessKey), and the attempt resumes from what is on
    disk — at most KEY_RENEWALS times."""
    for renewal in range(KEY_RENEWALS + 1):
        used = task.access_key
        try:
            return attempt(used)
        except AccessRefused:
            if renewal == KEY_RENEWALS or not _fresh_key(conn, task, used):
                raise
            log.info("The access key of task %s was refused mid-download; going on with a fresh one", task.id)
    raise AssertionError("unreachable")


def _fresh_key(conn: ReachConnection, task: Task, refused: str) -> bool:
    """A key other than `refused` for the task: the keeper's newer one, or a fresh one from Kaltura."""
    if task.access_key != refused:
        return True
    try:
        reach_api.extend_access_key(conn, task)  # updates the shared Task: every holder sees the new key
    except ReachError as exc:
        log.warning("No fresh access key for task %s: %s", task.id, exc.message)
        return False
    return task.access_key != refused


def _tell_stream(
    on_stream: Callable[[StreamSource], None] | None,
    url: str,
    flavor_id: str,
    ks: str,
    scope: KeyScope,
    choice: FlavorChoice,
    protocol: str,
    duration_ms: int | None,
) -> None:
    """Offer the playback URL (with `ks` when its host is in scope) to a player, unless it would carry the
    key unencrypted off this machine."""
    if on_stream is None:
        return
    plain = narrow_to_flavor(url, flavor_id)
    keyed = scope.allows(url)
    playable = with_ks(plain, ks) if keyed else plain
    if not safe_transport(playable):
        log.info("Not streaming: the playback URL is plain HTTP to another machine; playing once downloaded")
        return
    on_stream(StreamSource(playable, choice, protocol, duration_ms, plain_url=plain, keyed=keyed))


def _entry_duration_ms(conn: ReachConnection, task: Task) -> int | None:
    """The entry's duration when the task does not carry it (to verify the download)."""
    return reach_api.entry_duration_ms(conn, task)


def _http_context(conn: ReachConnection, task: Task) -> dict:
    try:
        return reach_api.playback_context(conn, task, "http")
    except ReachError as exc:
        raise MediaFetchError(
            f"Could not get the playback context of entry {task.entry_id}: {exc.message}"
        ) from None


def _fetch_hls(
    url, dest, choice, expected, key, scope, progress, token, workers, on_segment=None, keep_segments=False
) -> FetchResult:
    from reach_studio.media.hls_fetch import fetch_hls

    url = narrow_to_flavor(url, choice.flavor.id)
    res = fetch_hls(
        url,
        dest,
        audio_only=choice.flavor.audio_only,
        expected_duration_ms=expected,
        workers=workers,
        secret_headers=key,
        key_scope=scope,
        progress=progress,
        token=token,
        on_segment=on_segment,
        keep_work_dir=keep_segments,  # the streamed waveform still reads them (fetch_task_media removes them)
    )
    return FetchResult(res.path, choice, "hls", res.path.stat().st_size, res.info.duration_ms)


def _fetch_http(url, dest, choice, expected, key, scope, progress, token) -> FetchResult:
    """Raises MediaError (AccessRefused: a fresh key may help), MediaFetchError when the file is wrong."""
    from reach_studio.media.http_fetch import download
    from reach_studio.media.probe import probe

    url = narrow_to_flavor(url, choice.flavor.id)
    res = download(url, dest, secret_headers=key, key_scope=scope, progress=progress, token=token)
    info = probe(res.path)
    if expected and abs(info.duration_ms - expected) > 1000:
        dest.unlink(missing_ok=True)
        raise MediaFetchError(
            f"Downloaded media lasts {info.duration_ms / 1000:.1f} s but the entry lasts {expected / 1000:.1f} s"
        )
    return FetchResult(res.path, choice, "http", res.size, info.duration_ms)
