"""HTTP twin of the live-caption controls, for `sync --live` runs and other processes.

POST /_emulator/control/start_live/<eventId> (the stream starts: the puller connects),
POST /_emulator/control/end_live/<eventId> (the stream ends), GET /_emulator/inspect/live_captions/<eventId>.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from reach_studio.emulator.caption_puller import LiveControlError

blueprint = Blueprint("emulator_live", __name__, url_prefix="/_emulator")


@blueprint.post("/control/start_live/<int:event_id>")
def start_live(event_id: int):  # type: ignore[no-untyped-def]
    emu = current_app.extensions["reach_emulator"]
    try:
        return jsonify({"started": emu.live.start_live(event_id)})
    except LiveControlError as exc:
        return jsonify({"error": str(exc)}), 400


@blueprint.post("/control/end_live/<int:event_id>")
def end_live(event_id: int):  # type: ignore[no-untyped-def]
    current_app.extensions["reach_emulator"].live.end_live(event_id)
    return jsonify({"ended": event_id})


@blueprint.get("/inspect/live_captions/<int:event_id>")
def live_captions(event_id: int):  # type: ignore[no-untyped-def]
    return jsonify(current_app.extensions["reach_emulator"].live.records(event_id))
