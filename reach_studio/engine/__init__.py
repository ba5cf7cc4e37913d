"""Qt-free long-running services (poller, key keeper, media fetch, delivery runs) shared by the GUI and `sync`."""
