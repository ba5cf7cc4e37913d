"""The CRUD every per-asset service shares (captionAsset, attachmentAsset, flavorAsset).

Kaltura's asset services all sit on `asset`/`assetPeer`: an asset is found by id when its entry is reachable
(else the service's own *_ID_NOT_FOUND), delete sets DELETED (the peer then hides it from get and list),
list filters by `KalturaAssetFilter`, and setContent attaches a content resource. Each service keeps only
what is its own (its error names, its extra fields and filters, what becoming READY means for it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reach_studio.domain.enums import AssetStatus, EntryStatus, NullableBoolean
from reach_studio.emulator.content import (
    Finisher,
    attach_resource,
    by_ids,
    can_reach,
    ids_filter,
    list_response,
    now,
    reach_entry,
)
from reach_studio.emulator.errors import ApiError
from reach_studio.emulator.registry import action
from reach_studio.emulator.schema import check_insert, check_update

if TYPE_CHECKING:
    from reach_studio.emulator.registry import CallContext, Params

Validator = Callable[[dict[str, Any]], None]


def filter_assets(assets: list[dict[str, Any]], flt: dict[str, Any]) -> list[dict[str, Any]]:
    """The KalturaAssetFilter fields every asset list shares (id, status, tags); DELETED assets never."""
    assets = by_ids(assets, flt)
    if flt.get("statusEqual") is not None:
        assets = [a for a in assets if a.get("status") == flt["statusEqual"]]
    elif flt.get("statusIn"):
        statuses = ids_filter(flt["statusIn"]) or set()
        assets = [a for a in assets if str(a.get("status")) in statuses]
    # assetPeer's default criteria hide DELETED assets whatever the filter asks
    assets = [a for a in assets if a.get("status") != AssetStatus.DELETED]
    not_in = ids_filter(flt.get("statusNotIn"))
    if not_in:
        assets = [a for a in assets if str(a.get("status")) not in not_in]
    if flt.get("tagsLike"):
        assets = [a for a in assets if flt["tagsLike"] in (a.get("tags") or "")]
    return assets


def by_format(assets: list[dict[str, Any]], flt: dict[str, Any]) -> list[dict[str, Any]]:
    """formatEqual of the caption and attachment filters."""
    if flt.get("formatEqual"):
        assets = [a for a in assets if str(a.get("format")) == flt["formatEqual"]]
    return assets


def require_edit(ctx: CallContext, entry: dict[str, Any]) -> None:
    """KalturaDispatcher::validateUser for the asset actions annotated `@validateUser entry|asset::entry ...
    edit` (add, update, setContent, delete, setAsDefault): before the service runs, a non-admin KS without
    `edit` on the entry that does not own it is INVALID_KS (-4, INVALID_TYPE), with an empty KS id."""
    if not can_reach(ctx, entry, write=True):
        raise ApiError("INVALID_KS", KSID="", ERR_CODE=-4, ERR_DESC="INVALID_TYPE")


@dataclass(frozen=True)
class AssetCrud:
    """One asset type's store kind, API names and not-found error."""

    kind: str  # store kind, e.g. "caption_asset"
    api_type: str  # e.g. "KalturaCaptionAsset"
    param: str  # the object parameter of add/update, e.g. "captionAsset"
    not_found: str  # e.g. "CAPTION_ASSET_ID_NOT_FOUND"
    not_found_arg: str  # the error's argument name, e.g. "ASSET_ID"
    list_type: str  # e.g. "KalturaCaptionAssetListResponse"

    def get(self, ctx: CallContext, asset_id: str | None, *, write: bool) -> tuple[dict, dict]:
        """The asset and its entry. Like assetPeer::retrieveById under the service's partner filter, any KS of
        the asset's partner finds it (else the service's not-found error, also for a deleted one); a change
        (update, setContent, delete, setAsDefault) of an asset whose entry the KS may not edit is
        ENTRY_ID_NOT_FOUND naming the entry (`$dbEntry->allowEdit()` in each asset service)."""
        session = ctx.require_session()
        asset = ctx.store.get(self.kind, asset_id) if asset_id else None
        if (
            asset is None
            or asset.get("status") == AssetStatus.DELETED
            or int(asset.get("partnerId", -1)) != session.partner_id
        ):
            raise ApiError(self.not_found, **{self.not_found_arg: asset_id})
        entry = ctx.store.get("entry", asset.get("entryId"))
        if write:
            if entry is None:
                raise ApiError("ENTRY_ID_NOT_FOUND", ENTRY_ID=asset.get("entryId"))
            require_edit(ctx, entry)
        return asset, entry or {}

    def new(self, ctx: CallContext, p: Params, validate: Validator) -> tuple[dict, dict]:
        """add's sent object (checked: insert-only/readonly flags, validate) and the entry it goes to."""
        entry_id = p.str("entryId", required=True)
        asset = p.obj(self.param, self.api_type, required=True)
        existing = ctx.store.get("entry", entry_id)
        if existing is not None and int(existing.get("partnerId", -1)) == ctx.require_session().partner_id:
            require_edit(ctx, existing)
        entry = reach_entry(ctx, entry_id, write=True)
        check_insert(asset)
        validate(asset)
        return asset, entry

    def stamp_new(self, ctx: CallContext, asset: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
        """The fields the server sets on a new asset: a QUEUED version 0 without content."""
        stamp = now()
        asset.update(
            {
                "id": ctx.store.next_id(self.kind),
                "entryId": entry["id"],
                "partnerId": entry["partnerId"],
                "status": AssetStatus.QUEUED,
                "version": 0,
                "size": 0,
                "sizeInBytes": 0,
                "createdAt": stamp,
                "updatedAt": stamp,
            }
        )
        return asset

    def update(
        self, ctx: CallContext, p: Params, validate: Validator
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """update: only the fields sent change (readonly/insert-only ones are refused); returns
        (updated asset, its entry, the changes applied)."""
        asset, entry = self.get(ctx, p.str("id", required=True), write=True)
        changes = p.obj(self.param, self.api_type, required=True)
        changes.pop("objectType", None)
        check_update(asset, {"objectType": asset["objectType"], **changes})
        validate({"objectType": asset["objectType"], **changes})
        changes["updatedAt"] = now()
        return ctx.store.update(self.kind, asset["id"], changes), entry, changes

    def delete(self, ctx: CallContext, asset_id: str | None) -> None:
        asset, _entry = self.get(ctx, asset_id, write=True)
        stamp = now()
        ctx.store.update(
            self.kind, asset["id"], {"status": AssetStatus.DELETED, "deletedAt": stamp, "updatedAt": stamp}
        )

    def set_content(self, ctx: CallContext, p: Params, finish: Finisher) -> dict[str, Any]:
        asset, _entry = self.get(ctx, p.str("id", required=True), write=True)
        resource = p.obj("contentResource", "KalturaContentResource", required=True)
        attach_resource(ctx, self.kind, asset["id"], resource, finish, self.fail, AssetStatus.IMPORTING)
        return ctx.store.get(self.kind, asset["id"])

    def content_changes(
        self, store: Any, asset: dict[str, Any], blob: str, *, ready: bool, **fields: Any
    ) -> dict[str, Any]:
        """What attaching a blob changes on an asset: a new version with that content. `ready`: the asset
        is READY at once with its size in bytes (captions, attachments); else `fields` give its status (a
        flavor waits for conversion, which sets its size in KB)."""
        size = store.blob_path(blob).stat().st_size
        changes = {"_blob": blob, "sizeInBytes": size, "version": int(asset.get("version") or 0) + 1}
        if ready:
            changes.update(status=AssetStatus.READY, size=size)
        return {**changes, **fields, "updatedAt": now()}

    def store_content(self, emu: Any, asset_id: str, blob: str, *, ready: bool, **fields: Any) -> bool:
        """content_changes applied to the asset if it still exists (False when it is gone)."""
        asset = emu.store.get(self.kind, asset_id)
        if asset is None:
            return False
        emu.store.update(
            self.kind, asset_id, self.content_changes(emu.store, asset, blob, ready=ready, **fields)
        )
        return True

    def fail(self, emu: Any, asset_id: str, reason: str) -> None:
        """A URL import (or conversion) that failed leaves the asset in ERROR."""
        emu.store.update(
            self.kind, asset_id, {"status": AssetStatus.ERROR, "updatedAt": now(), "_error": reason}
        )

    def clear_other_defaults(self, store: Any, entry_id: str, keep_id: str) -> None:
        """isDefault=1 on one asset takes the flag from the entry's other assets of this type."""
        for other in store.find(self.kind, entryId=entry_id):
            if other["id"] != keep_id and other.get("isDefault") == NullableBoolean.TRUE_VALUE:
                store.update(
                    self.kind, other["id"], {"isDefault": NullableBoolean.FALSE_VALUE, "updatedAt": now()}
                )

    def register(
        self,
        service: str,
        id_param: str,
        finish: Finisher,
        narrow: Callable[[list[dict[str, Any]], dict[str, Any]], list[dict[str, Any]]] | None = None,
    ) -> None:
        """Register the service's get, delete (both by `id_param`), setContent (by "id") and list, which
        are the same for every asset type."""

        def get(ctx: CallContext, p: Params) -> dict[str, Any]:
            return self.get(ctx, p.str(id_param, required=True), write=False)[0]

        def delete(ctx: CallContext, p: Params) -> None:
            self.delete(ctx, p.str(id_param, required=True))

        def set_content(ctx: CallContext, p: Params) -> dict[str, Any]:
            return self.set_content(ctx, p, finish)

        def list_(ctx: CallContext, p: Params) -> dict[str, Any]:
            return self.list(ctx, p, narrow)

        for name, handler in (("get", get), ("delete", delete), ("setContent", set_content), ("list", list_)):
            action(service, name)(handler)

    def list(
        self,
        ctx: CallContext,
        p: Params,
        narrow: Callable[[list[dict[str, Any]], dict[str, Any]], list[dict[str, Any]]] | None = None,
    ) -> dict[str, Any]:
        """list as KalturaAssetFilter::doGetListResponse: entryIdEqual or entryIdIn is required
        (PROPERTY_VALIDATION_CANNOT_BE_NULL), those entries are kept when they are the caller's partner's
        (entryPeer::filterEntriesByPartnerOrKalturaNetwork, no per-entry privilege), then the filter's
        fields and `narrow` (the service's own ones) apply."""
        session = ctx.require_session()
        flt = p.obj("filter", "KalturaAssetFilter") or {}
        entry_ids = {flt["entryIdEqual"]} if flt.get("entryIdEqual") else ids_filter(flt.get("entryIdIn"))
        if not entry_ids:
            # listAction casts the filter to the service's own class, whose name the message carries
            cls = flt.get("objectType") if flt.get("objectType") not in (None, "KalturaAssetFilter") else None
            cls = cls or self.api_type + "Filter"
            raise ApiError(
                "PROPERTY_VALIDATION_CANNOT_BE_NULL", PROP_NAME=f"{cls}::entryIdEqual/{cls}::entryIdIn"
            )
        assets = []
        for entry_id in sorted(entry_ids):
            entry = ctx.store.get("entry", entry_id)
            if (
                entry is not None
                and int(entry.get("partnerId", -1)) == session.partner_id
                and entry.get("status") != EntryStatus.DELETED
            ):
                assets += ctx.store.find(self.kind, entryId=entry_id)
        visible = filter_assets(assets, flt)
        if narrow is not None:
            visible = narrow(visible, flt)
        return list_response(self.list_type, visible, p)
