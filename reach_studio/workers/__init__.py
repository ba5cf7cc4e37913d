"""Background jobs (downloads, polling, key extension) run off the GUI thread."""
