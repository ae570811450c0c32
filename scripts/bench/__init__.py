"""Benchmark synapse where its cost is paid: the per-prompt hook, a typical command and the state files.

Editors run the hook ``synapse hook install`` registers on every prompt, so every
millisecond of it is added to every prompt. One run measures, against one interpreter
(the benchmark venv's python):

1. hook latency, spawn to exit, interleaved round-robin with a bare interpreter start:
   the command as registered, through ``/bin/sh -c`` like an editor runs it, against
   ``/bin/sh -c "python -c pass"``; steady-state prompts and first prompts of new
   sessions among 0, 1,000 and 10,000 other session files (1 % of them stale), how many
   first prompts remove the stale ones, and peak memory;
2. a typical Typer command, ``synapse session show ID``, against ``python -c pass``;
3. the cost of an atomic write of 2 KB against a plain in-place write;
4. ``SessionStore.clean_stale`` over 100 to 100,000 session files;
5. optionally another hook command (``--compare-cmd``) side by side with synapse.

It checks the performance targets and prints PASS/FAIL lines; the exit code is 0 when
every target passes. ``--quick`` runs a reduced version in about a minute and fails
only on correctness (stale files not removed, a hook or command that did not do its
work). ``--tag`` saves a journey snapshot and draws the latency chart (SVG).

Layout: ``config`` (targets, options → Config), ``harness`` (venv, clean environments,
timed spawns, interleaving), ``fixtures`` (projects, sessions folders), ``sections/``
(what is measured), ``workers`` (in-process measurements run in the venv's python),
``figures`` (figures and targets), ``report`` (Markdown, snapshot comparison), ``chart``.

Usage (from the repository root; ``cd scripts && python -m bench`` works too):
    python scripts/bench                          # full run, builds its own venv
    python scripts/bench --quick --venv .venv     # reduced run against an existing venv
    python scripts/bench --json out.json --tag v0.2.1 --compare v0.1.0
    python scripts/bench --compare-cmd "node hook.js"
"""
