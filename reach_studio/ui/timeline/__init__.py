"""The timeline under the video (waveform, cue blocks, chapter markers, EAD spans, playhead)."""

from reach_studio.ui.timeline.canvas import Peaks, TimelineCanvas
from reach_studio.ui.timeline.view import TimelineView

__all__ = ["Peaks", "TimelineCanvas", "TimelineView"]
