"""Team mode: many linguists on many machines sharing one PostgreSQL team store (Qt-free).

Without a team store URL (settings `team_db_url` / env REACH_TEAM_DB) nothing here is used and the app
works alone on its embedded SQLite.
"""
