"""synapse: crash-safe per-session state for AI-coding editors' hooks.

This module stays tiny on purpose: the console script imports it on every prompt.
"""

__version__ = "0.2.1"
