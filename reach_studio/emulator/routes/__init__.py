"""Non-API HTTP routes of the emulator (packager, content serving): every module here that defines a Flask
`blueprint` is registered by the app factory."""
