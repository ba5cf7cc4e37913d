"""PySide6 widgets: they present and forward, the work happens in domain/, kaltura/ and workers/."""
