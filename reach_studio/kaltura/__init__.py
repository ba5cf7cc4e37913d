"""The REACH API over the official KalturaApiClient (sessions, client tags, task calls). No Qt here."""
