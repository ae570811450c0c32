"""The core: atomic writer, lock, JS-compatible JSON, config, project paths, log, sessions
(store, cleanup, set-aside), the other state writers, and doctor's checks of the state.

Standard library only. It never prints and never exits: it returns values or raises
``synapse_cli.core.errors.SynapseError``. It imports nothing from hooks/, editors/ or cli/.
"""
