"""Kaltura API services of the emulator: every module here is imported by the app factory and registers
its handlers with `@registry.action(...)`."""
