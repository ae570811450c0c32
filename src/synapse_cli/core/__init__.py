"""The core: atomic writer, lock, JS-compatible JSON, config, project paths, sessions and the other state writers.

Standard library only. It never prints and never exits: it returns values or raises
``synapse_cli.core.errors.SynapseError``. It imports nothing from hooks/, editors/ or cli/.
"""
