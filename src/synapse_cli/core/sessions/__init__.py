"""Session files: ``store`` (storage: load, create, update, list, delete), ``cleanup`` (the
stale-session cleanup and its resume cursor) and ``setaside`` (moving unusable files aside)."""
