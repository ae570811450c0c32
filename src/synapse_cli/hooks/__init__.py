"""What editors run on every prompt: ``events`` (reading the event from stdin), ``agents``
(recognising the agent and its payload), ``runner`` (``run_hook`` and the three hooks)
and ``cleanup`` (the first prompt's background cleanup, the session start's claim).

Everything here is on the per-prompt path: standard library only, imported lazily.
Nothing here imports from ``cli/`` or ``editors/``.
"""
