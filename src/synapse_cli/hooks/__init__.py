"""What editors run on every prompt: reading the event, detecting the agent, the runner, the background cleanup.

Everything here is on the per-prompt path: standard library only, imported lazily.
"""
