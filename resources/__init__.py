"""Icons, style sheet, desktop entry, AppStream metadata and licence list (the top-level resources/ folder).

Read through reach_studio.resource_files, never by path.
"""
