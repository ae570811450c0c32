"""The ``synapse-hook`` launcher: installed by pip, pip -e and pipx, starts without ``re``, runs with a minimal PATH."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import PAYLOADS, REPO_ROOT

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the POSIX launcher (Windows keeps the console script's .exe)")

BIN = Path(sys.executable).parent
MINIMAL_ENV_ARGS = ["/usr/bin/env", "-i", "PATH=/usr/bin:/bin"]


def imports_before_synapse(script: Path, *args: str, stdin: bytes = b"") -> list[str]:
    """The modules ``script`` has imported by the time synapse's own code starts loading (``-X importtime`` order)."""
    ran = subprocess.run(
        [*MINIMAL_ENV_ARGS, "PYTHONDONTWRITEBYTECODE=1", sys.executable, "-X", "importtime", str(script), *args],
        input=stdin, capture_output=True, check=False, timeout=60,
    )
    names = []
    for line in ran.stderr.decode().splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name == "synapse_cli" or name.startswith("synapse_cli."):
                return names
            names.append(name)
    raise AssertionError(f"synapse_cli was never imported: {ran.stderr.decode()[-2000:]}")


def floor_imports() -> set[str]:
    """What the interpreter itself imports at start (site, encodings, ...)."""
    ran = subprocess.run([*MINIMAL_ENV_ARGS, sys.executable, "-X", "importtime", "-c", "pass"], capture_output=True, check=False, timeout=60)
    return {line.rsplit("|", 1)[1].strip() for line in ran.stderr.decode().splitlines() if line.startswith("import time:") and "|" in line}


def test_launcher_imports_nothing_but_synapse(tmp_path):
    """Before synapse's own code loads, the launcher has imported nothing beyond the interpreter's start (a wrapper that imports ``re`` first is seen)."""
    payload = (PAYLOADS / "claude-user-prompt-submit.json").read_bytes()
    floor = floor_imports()
    assert [name for name in imports_before_synapse(BIN / "synapse-hook", "prompt-submit", stdin=payload) if name not in floor] == []
    # Control: a wrapper shaped like older pips' console scripts (``import re`` first; newer
    # pips no longer do it, so the installed ``bin/synapse`` cannot serve as the control).
    wrapper = tmp_path / "wrapper"
    wrapper.write_text("import re\nimport sys\nfrom synapse_cli.entry import main\nsys.exit(main(['hook', *sys.argv[1:]]))\n")
    assert "re" in imports_before_synapse(wrapper, "prompt-submit", stdin=payload)


def test_launcher_help_and_unknown_hook_behave_like_synapse_hook():
    """``synapse-hook --help`` is ``synapse hook --help``; an unknown hook name still exits 0 (a hook never blocks a prompt)."""
    help_run = subprocess.run([str(BIN / "synapse-hook"), "--help"], capture_output=True, check=False, timeout=60)
    assert help_run.returncode == 0 and b"prompt-submit" in help_run.stdout
    bogus = subprocess.run([str(BIN / "synapse-hook"), "no-such-hook"], input=b"{}", capture_output=True, check=False, timeout=60)
    assert bogus.returncode == 0 and bogus.stdout == b""


# -- real installs into throwaway environments (slow: each builds and installs the package) --


def _venv(where: Path) -> Path:
    # Without its own pip (seeding one costs seconds): _pip installs into it from outside.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, capture_output=True, timeout=300)
    return where / "bin"


def _pip(bin_dir: Path, *args: str) -> None:
    """``pip install ARGS`` into the environment of ``bin_dir``, run by this interpreter's pip (``--python``).

    No bytecode compiled: what is checked here is where the scripts land and what they run.
    """
    ran = subprocess.run([sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "--quiet", "--no-compile", *args],
                         capture_output=True, check=False, timeout=600)
    assert ran.returncode == 0, ran.stderr.decode()[-2000:]


def _install_and_fire(synapse: Path, tmp_path: Path) -> tuple[str, dict]:
    """``synapse init`` + ``hook install`` in a fresh git repository's subfolder, then the registered command run as an editor would."""
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / ".git").mkdir()
    for args in (["init"], ["hook", "install"]):
        ran = subprocess.run([str(synapse), *args], cwd=repo / "src", capture_output=True, check=False, timeout=120)
        assert ran.returncode == 0, ran.stderr
    command = json.loads((repo / ".claude" / "settings.json").read_text())["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"]
    event = json.loads((PAYLOADS / "claude-user-prompt-submit.json").read_text())
    event["cwd"] = str(repo / "src")
    ran = subprocess.run([*MINIMAL_ENV_ARGS, f"HOME={tmp_path}", "/bin/sh", "-c", command], input=json.dumps(event).encode(),
                         cwd=repo, capture_output=True, check=False, timeout=60)
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, b"", b""), command
    session = json.loads((repo / ".synapse" / "sessions" / f"{event['session_id']}.json").read_text())
    return command, session


@pytest.mark.slow
@pytest.mark.parametrize("editable", [False, True], ids=["pip-install", "pip-install-e"])
def test_pip_installs_the_launcher_and_hook_install_registers_it(tmp_path, editable):
    """pip install . and pip install -e . put synapse-hook beside synapse, with the environment's interpreter; the registered command fires under a minimal PATH."""
    bin_dir = _venv(tmp_path / "venv")
    _pip(bin_dir, *(["-e"] if editable else []), str(REPO_ROOT))
    launcher = bin_dir / "synapse-hook"
    assert launcher.read_text().splitlines()[0] == f"#!{bin_dir / 'python'}" or launcher.read_text().startswith(f"#!{bin_dir}/python")
    command, session = _install_and_fire(bin_dir / "synapse", tmp_path)
    assert command == f"'{launcher}' prompt-submit"
    assert session["prompt_count"] == 1


@pytest.mark.slow
def test_pipx_installs_the_launcher_and_hook_install_registers_it(tmp_path):
    """pipx exposes synapse-hook next to synapse; the command hook install writes from the pipx app fires under a minimal PATH."""
    tools = _venv(tmp_path / "tools")
    try:
        _pip(tools, "pipx")
    except AssertionError as exc:
        pytest.skip(f"pipx cannot be installed here: {exc}")
    env = {**os.environ, "PIPX_HOME": str(tmp_path / "pipx-home"), "PIPX_BIN_DIR": str(tmp_path / "pipx-bin")}
    ran = subprocess.run([str(tools / "pipx"), "install", str(REPO_ROOT)], env=env, capture_output=True, check=False, timeout=600)
    assert ran.returncode == 0, ran.stderr.decode()[-2000:]
    exposed = tmp_path / "pipx-bin"
    assert (exposed / "synapse-hook").exists() and (exposed / "synapse").exists()
    command, session = _install_and_fire(exposed / "synapse", tmp_path)
    assert command == f"'{exposed / 'synapse-hook'}' prompt-submit"
    assert session["prompt_count"] == 1
    assert shutil.which("synapse-hook", path="/usr/bin:/bin") is None
