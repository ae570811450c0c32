"""Registering synapse in each editor's settings files (install, uninstall, per-agent definitions)."""
