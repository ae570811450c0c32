"""Helpers shared by every test folder: one place for each, imported as ``tests.support.<module>``.

- ``paths``: the repository, the framework's shared fixtures, the Claude session id of the payload fixture.
- ``run``: the installed ``synapse`` as a real subprocess, hook events, the silent-exit contract.
- ``hook_commands``: hook commands as editors run them (``sh -c``, minimal PATH), each agent's settings and event.
- ``files``: folder snapshots (before/after comparisons), JSON and log reading, real unwritable files.
- ``sessions``: a factory for schema-2.0 session files as the framework writes them.
- ``parts``: large sessions folders, the three parts a first prompt's cleanup examines in turn, and its cursor.
- ``faults``: strace fault injection and read-only bind mounts, with the one probe that says whether they work here.
- ``git``: real git repositories with no user configuration (one with synapse set up and committed), and what
  ``git status`` would commit.
- ``logs``: the in-process log sinks, reset around a test.
- ``output``: the one-line ``synapse: ...`` error report.
- ``help``: every command of the Typer application and its rendered help.
- ``imports``: the module names an import statement names (for the layout guards).
- ``readme``: the README's troubleshooting recipe (the registered command run as an editor runs it).
- ``scripts/``: small programs the tests run as separate processes (writers to kill, lock holders...).

Fixtures stay in the conftest.py files; they take what they need from here. Test modules import from here and
conftest.py only, never from one another (tests/test_test_layout.py checks it).
"""
