"""`session show` (and `state show`) print values as the state files' JSON writer spells them, top-level and
nested: `1e-7` not Python's `1e-07`, `0` for `-0`, `1e+21`, big integers as a JavaScript number holds them."""

from __future__ import annotations

import json

from tests.support.paths import SID
from tests.support.run import run_in_project as synapse
from tests.support.sessions import session_data, session_path

NUMBERS = "[1e-7, 1e21, -0, 0.1, 12345678901234567890, 9007199254740993, 1.5e300, 2.5]"
AS_JS = "[1e-7, 1e+21, 0, 0.1, 12345678901234567000, 9007199254740992, 1.5e+300, 2.5]"  # JSON.stringify's spelling


def shown_fields(project) -> dict[str, str]:
    """session show's text output, piped: field -> value."""
    result = synapse(project, "session", "show", SID)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    start = lines.index("field\tvalue")
    return dict(line.split("\t", 1) for line in lines[start + 1:])


def write_raw(project, **raw_fields: str) -> None:
    text = json.dumps(session_data(SID, cwd=str(project)), indent=2)
    extra = "".join(f',\n  "{key}": {value}' for key, value in raw_fields.items())
    session_path(project, SID).write_text(text[:-2] + extra + "\n}")


def test_nested_numbers_are_spelled_as_json_spells_them(project):
    write_raw(project, numbers=NUMBERS, nested='{"deep": {"tiny": 1e-7, "n": ' + NUMBERS + '}, "flag": true, "none": null}')
    fields = shown_fields(project)
    assert fields["numbers"] == AS_JS
    assert fields["nested"] == '{"deep": {"tiny": 1e-7, "n": ' + AS_JS + '}, "flag": true, "none": null}'
    assert "1e-07" not in "".join(fields.values()) and "-0.0" not in "".join(fields.values())


def test_top_level_numbers_are_spelled_as_json_spells_them(project):
    write_raw(project, tiny="1e-7", huge="1e21", zero="-0", tenth="0.1", big="12345678901234567890")
    fields = shown_fields(project)
    assert (fields["tiny"], fields["huge"], fields["zero"], fields["tenth"], fields["big"]) == (
        "1e-7", "1e+21", "0", "0.1", "12345678901234567000")


def test_text_output_agrees_with_json_output(project):
    """Each value printed is the --json output's value, on one line."""
    write_raw(project, nested='{"a": [1e-7, {"b": -0}], "s": "line\\nbreak \\u00fc"}')
    fields = shown_fields(project)
    as_json = synapse(project, "session", "show", SID, "--json").stdout.decode()
    assert '"a": [\n      1e-7,' in as_json
    assert fields["nested"] == '{"a": [1e-7, {"b": 0}], "s": "line\\nbreak ü"}'


def test_state_show_spells_nested_numbers_as_json_too(project):
    state = project / ".aios" / "session-state.json"
    state.parent.mkdir()
    state.write_text('{"sessionId": "session-1-a", "lastCommands": ["x"], "currentStory": null, "extra": ' + NUMBERS + "}")
    result = synapse(project, "state", "show")
    assert result.returncode == 0, result.stderr
    assert AS_JS in result.stdout.decode() and "1e-07" not in result.stdout.decode()
