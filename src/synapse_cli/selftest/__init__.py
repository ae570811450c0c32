"""``synapse selftest``: synapse run end to end, as editors and scripts run it, in a throwaway project."""

from __future__ import annotations

from typing import Any

from synapse_cli.selftest.runner import AGENTS, DEFAULT_MAX_HOOK_RATIO, Check, SelfTest


def run_selftest(agents: tuple[str, ...] = AGENTS, *, max_hook_ratio: float = DEFAULT_MAX_HOOK_RATIO) -> dict[str, Any]:
    """Run every check; the result is what ``selftest --json`` prints."""
    test = SelfTest(agents, max_hook_ratio=max_hook_ratio)
    checks = test.run()
    return {"ok": all(c.ok for c in checks), "checks": [c.as_dict() for c in checks], "environment": test.environment()}


__all__ = ["AGENTS", "Check", "SelfTest", "run_selftest"]
