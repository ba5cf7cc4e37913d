"""A local Kaltura REACH emulator speaking the API v3 wire protocol used by the official client."""
