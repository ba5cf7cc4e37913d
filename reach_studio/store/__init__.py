"""Local persistence: drafts, delivery journals and the task store (SQLite under platformdirs)."""
