"""Session files: storage (store), the stale-session cleanup, and setting corrupt files aside."""
