"""The command layer: Typer commands that parse, call the core once, and render."""
