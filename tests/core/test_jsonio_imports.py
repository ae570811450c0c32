"""core/jsonio reads and writes JSON without the json package (and so without re) when _json is there.

Each check runs in a fresh interpreter, where sys.modules shows what an import really cost.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.paths import JS_WRITTEN

_EXERCISE = """
import sys
{block}
from synapse_cli.core import jsonio
results = []
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        raw = f.read()
    results.append(jsonio.dumps_js(jsonio.loads_text(raw)) == raw.decode('utf-8'))
    results.append(jsonio.dumps_js(jsonio.loads_text(raw, js=True)) == raw.decode('utf-8'))
document = {"b": 1, "10": [0.1, -0.0, 1e21, 1.5e300, 2**64, float("nan")], "s": "\\u00e9\\U0001f600\\u2028\\ud83d\\x01"}
text = jsonio.dumps_js(document)
results.append(jsonio.loads(text) == jsonio.loads_text(text.encode('utf-8')))
loaded = sorted(m for m in ("json", "re", "enum", "functools", "collections", "typing") if m in sys.modules)
errors = []
for bad in ('{nope', '[1,', '{"a" 1}', '"\\\\x"', '[1] x', '', 'NaN', '{"a": "\x01"}'):
    try:
        jsonio.loads(bad, js=True)
        errors.append("accepted")
    except ValueError as exc:  # a JSONDecodeError is one
        errors.append("ValueError")
    except Exception as exc:
        errors.append(repr(exc))
sys.stdout.write(repr((all(results), loaded, text, errors)))
"""


def _run(block: str = "") -> tuple[bool, list[str], str, list[str]]:
    fixtures = sorted(str(p) for p in JS_WRITTEN.glob("*.json"))
    result = subprocess.run(
        [sys.executable, "-c", _EXERCISE.replace("{block}", block), *fixtures], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    ok, loaded, text, errors = eval(result.stdout)  # our own repr() of plain values
    return ok, loaded, text, errors


def test_reading_and_writing_leave_json_and_re_unimported() -> None:
    """With the accelerator, loads/loads_text/dumps_js on the JS fixtures and a rich document import no json, re, enum, functools, collections."""
    ok, loaded, _, _ = _run()
    assert ok
    assert loaded == []


def test_bad_documents_raise_value_error_in_a_fresh_interpreter() -> None:
    """Syntax errors raise ValueError even before json.decoder was ever imported (the accelerator needs it to report)."""
    *_, errors = _run()
    assert errors == ["ValueError"] * 8
    *_, errors = _run("sys.modules['_json'] = None")
    assert errors == ["ValueError"] * 8


def test_without_the_accelerator_the_json_package_takes_over() -> None:
    """With _json blocked (sys.modules['_json'] = None), the fallback gives the same bytes."""
    ok, loaded, text, _ = _run("sys.modules['_json'] = None")
    assert ok
    assert "json" in loaded  # the fallback really ran
    _, _, accelerated, _ = _run()
    assert text == accelerated
    assert json.loads(text)["10"][4] == 18446744073709552000
