"""Messages a first-time user reads: uninstall names its project, a dry run says "Would", a short prefix gets a hint, the README's test event is removable."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.support.files import snapshot
from tests.support.output import one_error_line
from tests.support.paths import REPO_ROOT
from tests.support.readme import recipe
from tests.support.run import run_synapse
from tests.support.sessions import session_path, write_session

A = "9f1c2e7a-4b3d-4c8e-a2f1-6d0b7e5c3a91"
C = "d00d1234-0000-4000-8000-000000000003"
BROKEN = "synapse hook prompt-submit"  # bare name: not found with the minimal PATH, so install replaces it


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / ".git").mkdir()
    return root


def broken_settings(project: Path) -> Path:
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir(exist_ok=True)
    settings.write_text(json.dumps({"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": BROKEN}]}]}}))
    return settings


def test_hook_uninstall_names_the_project_it_used_as_install_does(tmp_path):
    """Run in repo/src: the output says `Project: <top> (the top of the git work tree)`, and --json carries project and project_found_by."""
    root = repo(tmp_path)
    assert run_synapse(["hook", "install"], cwd=root / "src").returncode == 0
    result = run_synapse(["hook", "uninstall"], cwd=root / "src")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == f"Project: {root} (the top of the git work tree)"
    assert "synapse hook uninstalled" in lines[1]
    report = json.loads(run_synapse(["hook", "uninstall", "--json"], cwd=root / "src").stdout)
    assert (report["project"], report["project_found_by"]) == (str(root), "git")


def test_hook_uninstall_dry_run_names_the_project_on_stderr_and_keeps_stdout_a_diff(project):
    """As for install: in a dry run the Project line goes to stderr, so stdout stays a patch."""
    assert run_synapse(["--project-dir", str(project), "hook", "install"]).returncode == 0
    before = snapshot(project)
    result = run_synapse(["--project-dir", str(project), "hook", "uninstall", "--dry-run"])
    assert result.returncode == 0, result.stderr
    # The Project line first; then what would become of the file install created (see test_uninstall_dry_run_removal).
    assert result.stderr.decode().startswith(f"Project: {project} (given with --project-dir)\nWould remove ")
    assert result.stdout.decode().startswith("--- ")
    assert snapshot(project) == before


def test_install_dry_run_says_it_would_replace_a_command_and_writes_nothing(project):
    """A dry run over a command that cannot start says "Would replace", not "Replaced"; the real install still says "Replaced"."""
    settings = broken_settings(project)
    before = snapshot(project)
    dry = run_synapse(["--project-dir", str(project), "hook", "install", "--dry-run"])
    assert dry.returncode == 0, dry.stderr
    err = dry.stderr.decode()
    assert f"Would replace the registered command {BROKEN} (" in err
    assert "Replaced" not in err and "Replaced" not in dry.stdout.decode()
    assert snapshot(project) == before
    done = run_synapse(["--project-dir", str(project), "hook", "install"])
    assert f"Replaced the registered command {BROKEN} (" in done.stdout.decode()
    assert BROKEN not in settings.read_text()


def test_install_dry_run_says_it_would_keep_a_working_command(project):
    """A registered command that runs is kept: a dry run says "Would keep", the install "Kept"."""
    mine = json.loads(run_synapse(["--project-dir", str(project), "hook", "install", "--json"]).stdout)["command"] + " --debug"
    settings = project / ".claude" / "settings.json"
    settings.write_text(json.dumps({"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": mine}]}]}}))
    dry = run_synapse(["--project-dir", str(project), "hook", "install", "--dry-run"])
    assert f"Would keep the registered command {mine} (" in dry.stderr.decode()
    assert "Kept" not in dry.stderr.decode()
    assert f"Kept the registered command {mine} (" in run_synapse(["--project-dir", str(project), "hook", "install"]).stdout.decode()


def test_a_too_short_prefix_of_an_existing_id_gets_a_hint(project):
    """`show`/`delete` of 3 characters that start one session: "no session ... (a prefix needs at least 4 characters)", exit 1, nothing changed."""
    write_session(project, A)
    write_session(project, C)
    before = snapshot(project)
    for command in ("show", "delete"):
        result = synapse_in(project, "session", command, "9f1")
        assert result.returncode == 1 and result.stdout == b""
        line = one_error_line(result.stderr)
        assert line.startswith("synapse: no session '9f1' in ")
        assert line.endswith("(a prefix needs at least 4 characters)")
    assert snapshot(project) == before


def test_no_hint_for_an_id_that_starts_no_session(project):
    """A short id that starts no session, or a long one that matches nothing, keeps the plain message."""
    write_session(project, A)
    for given in ("zz9", "9f1c2e7a-nope"):
        line = one_error_line(synapse_in(project, "session", "show", given).stderr)
        assert line == f"synapse: no session {given!r} in {project / '.synapse' / 'sessions'}"


def test_update_still_refuses_a_short_prefix_of_an_existing_id(project):
    """Unchanged: update does not create a session `9f1` beside 9f1c2e7a-..., it names that session and exits 1."""
    write_session(project, A)
    before = snapshot(project)
    result = synapse_in(project, "session", "update", "9f1")
    assert result.returncode == 1
    assert A in one_error_line(result.stderr)
    assert snapshot(project) == before and not session_path(project, "9f1").exists()


def synapse_in(project: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return run_synapse(["--project-dir", str(project), *args])


def test_the_readme_hook_check_leaves_no_session_when_followed_as_written(project, tmp_path):
    """"When the hook does not fire": its event creates a real session `test`; the README's next command removes it."""
    readme = (REPO_ROOT / "README.md").read_text()
    start = readme.index("\n## When the hook does not fire\n")
    text = readme[start:readme.index("\n## ", start + 1)]
    assert run_synapse(["--project-dir", str(project), "hook", "install"]).returncode == 0
    ran = subprocess.run(["bash", "-c", recipe()], cwd=project, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, capture_output=True, timeout=30)
    assert ran.returncode == 0 and ran.stdout.decode().endswith("\nexit 0\n"), ran.stdout + ran.stderr
    assert session_path(project, "test").exists()
    removal = re.findall(r"`(synapse session delete [^`]+)`", text)
    assert removal == ["synapse session delete test"]
    deleted = run_synapse(removal[0].split()[1:], cwd=project)
    assert deleted.returncode == 0 and deleted.stdout == b"Deleted session test.\n"
    assert json.loads(run_synapse(["session", "list", "--json"], cwd=project).stdout) == []
