"""core/jsonio: the accelerator-only JSON reader and the JSON.stringify-compatible writer.

Randomized against ``json`` (parsing) and against node's JSON.stringify(JSON.parse(x), null, 2)
(writing); the JS fixtures round-trip byte for byte.
"""

from __future__ import annotations

import functools
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from synapse_cli.core.jsonio import dumps_js, loads, loads_text
from tests.support.paths import JS_WRITTEN

NODE = shutil.which("node")
STRINGIFY_JS = Path(__file__).resolve().parent.parent / "e2e" / "js" / "stringify.js"
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed: the JavaScript side cannot be run")

_CHARS = (
    "abcxyz ABC09_-./:", "\"\\", "\b\f\n\r\t\x00\x01\x1f\x7f", "éüñ中文ß", "😀🚀", "\u2028\u2029\ufeff\u00a0",
    "\ud800\udbff\udc00\udfff",
)
_KEYS = ("a", "b", "title", "", "0", "1", "2", "10", "007", "-1", "1.5", "4294967294", "4294967295", "99999999999", "zz", "é", "😀")


def _random_string(rng: random.Random) -> str:
    return "".join(rng.choice(rng.choice(_CHARS)) for _ in range(rng.randint(0, 12)))


def _random_number(rng: random.Random) -> int | float:
    kind = rng.randint(0, 9)
    if kind == 0:
        return rng.randint(-1000, 1000)
    if kind == 1:
        return 2**53 + rng.randint(-3, 3) if rng.random() < 0.5 else -(2**53) - rng.randint(-3, 3)
    if kind == 2:
        return rng.randint(-(10**25), 10**25)
    if kind == 3:
        return rng.choice([10**21, 10**21 - 1, 12345678901234567890, 9007199254740993, 10**308, 10**400])
    if kind == 4:
        return rng.choice([0.1, -0.0, 0.0, 1e21, 1.5e300, 5e-324, 1e-7, 1e-6, 123456.789, 1e16, 2.5e-9, 1.7976931348623157e308])
    if kind == 5:
        return rng.uniform(-1e6, 1e6)
    if kind == 6:
        return rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30)
    if kind == 7:
        return float(rng.randint(-(10**17), 10**17))
    return rng.random() * 10.0 ** rng.randint(-320, 308)


def _random_value(rng: random.Random, depth: int) -> object:
    kind = rng.randint(0, 9 if depth < 5 else 5)
    if kind <= 1:
        return _random_string(rng)
    if kind <= 3:
        return _random_number(rng)
    if kind == 4:
        return rng.choice([None, True, False])
    if kind == 5:
        return rng.choice([[], {}, ""])
    if kind <= 7:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    obj = {}
    for _ in range(rng.randint(0, 5)):
        obj[rng.choice(_KEYS) if rng.random() < 0.6 else _random_string(rng)] = _random_value(rng, depth + 1)
    return obj


def _random_text(rng: random.Random) -> str:
    """A JSON text as some writer could have written it: any indent, escaped or raw non-ASCII."""
    value = _random_value(rng, 0)
    if rng.random() < 0.05:
        for _ in range(rng.randint(50, 400)):
            value = [value] if rng.random() < 0.5 else {"k": value}
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 0, 2, 4]))
    return rng.choice(["", " ", "\n", "\t\r\n "]) + text + rng.choice(["", "\n", "  \n"])


@functools.lru_cache(maxsize=None)
def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [_random_text(rng) for _ in range(count)]


def _node_stringify(texts: list[str]) -> list[str | None]:
    result = subprocess.run(
        [NODE, str(STRINGIFY_JS)], input=json.dumps(texts).encode(), capture_output=True, timeout=60, check=True
    )
    return json.loads(result.stdout)


def test_parsing_equals_json_loads_on_random_documents() -> None:
    """3,000 random documents (unicode, lone surrogates, control escapes, big ints, floats, nesting) parse as json.loads does."""
    for text in _random_texts(3000, seed=11):
        assert repr(loads(text)) == repr(json.loads(text)), text[:200]


@needs_node
def test_writing_equals_node_on_random_documents() -> None:
    """dumps_js(loads(x)) == node's JSON.stringify(JSON.parse(x), null, 2) for 3,000 random documents."""
    texts = _random_texts(3000, seed=11)
    for text, expected in zip(texts, _node_stringify(texts)):
        assert expected is not None
        assert dumps_js(loads(text)) == expected, text[:200]


def _json_reference_safe(value: object) -> bool:
    """Values where json.dumps already writes what JavaScript writes (no key reordering, no number rewriting)."""
    if isinstance(value, dict):
        return all(not k[:1].isdigit() and _json_reference_safe(k) and _json_reference_safe(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_reference_safe(v) for v in value)
    if isinstance(value, str):
        return not any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return abs(value) <= 2**53
    return "e" not in repr(value) and not value.is_integer()


def test_writing_equals_json_dumps_where_javascript_agrees() -> None:
    """Without node: on documents where json.dumps and JSON.stringify agree, dumps_js writes json.dumps(indent=2)'s bytes."""
    compared = 0
    for text in _random_texts(3000, seed=11):
        value = json.loads(text)
        try:
            safe = _json_reference_safe(value)
        except RecursionError:  # the deepest documents: json.dumps(indent=2) recurses too
            continue
        if safe:
            compared += 1
            assert dumps_js(value) == json.dumps(value, indent=2, ensure_ascii=False), text[:200]
    assert compared > 500


@needs_node
def test_reader_in_javascript_mode_refuses_exactly_what_json_parse_refuses() -> None:
    """loads(js=True) fails exactly where JSON.parse throws (NaN, Infinity, a BOM, bad grammar); accepted texts agree."""
    texts = [
        "NaN", "[Infinity]", "-Infinity", "{\"a\": NaN}", "\ufeff{}", "{} ", " [1] \n", "[1,]", "01", "1.", ".5", "+1",
        "[\"\t\"]", "\u00a0[1]", "1e5", "-0", "\"\\u12\"", "{\"a\" 1}", "[1] x", "", "   ", "\"\\ud800\"", "[1e400]",
        "{\"a\":1,\"a\":2}", "\"\\x41\"", "'a'", "[\"\\/\"]", "true", "nul", "{\"__proto__\": 1}", "[1]\x00",
    ]
    for text, expected in zip(texts, _node_stringify(texts)):
        try:
            written = dumps_js(loads(text, js=True))
        except ValueError:
            written = None
        assert written == expected, text


@pytest.mark.parametrize("name", sorted(p.name for p in JS_WRITTEN.glob("*.json")))
def test_js_fixtures_round_trip_byte_for_byte(name: str) -> None:
    """Every JS-written fixture read with loads_text and written with dumps_js gives back its exact bytes."""
    raw = (JS_WRITTEN / name).read_bytes()
    assert dumps_js(loads_text(raw)).encode("utf-8") == raw
    assert dumps_js(loads_text(raw, js=True)).encode("utf-8") == raw


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (9007199254740993, "9007199254740992"), (12345678901234567890, "12345678901234567000"), (10**21, "1e+21"),
        (-(10**21), "-1e+21"), (2**53, "9007199254740992"), (-(2**53) - 1, "-9007199254740992"),
        (10**400, "null"), (123456789012345678901234, "1.2345678901234569e+23"),
    ],
)
def test_integers_beyond_a_javascript_number_are_written_as_json_stringify_does(value: int, written: str) -> None:
    """Integers past 2**53 are written as JSON.stringify(JSON.parse(x)) writes them (nearest double, exponent from 1e21)."""
    assert dumps_js({"n": value}) == '{\n  "n": ' + written + "\n}"


def test_integer_like_keys_come_first_ascending() -> None:
    """Integer-like keys (canonical array indexes) first in ascending order, then the others as inserted."""
    patch = {"b": 1, "10": "ten", "2": "two", "a": 0, "007": 7, "4294967295": "max", "4294967294": "last index", "0": 0}
    assert list(json.loads(dumps_js(patch))) == ["0", "2", "10", "4294967294", "b", "a", "007", "4294967295"]
    nested = dumps_js({"x": [{"1": 1, "0": 0}]})
    assert nested == '{\n  "x": [\n    {\n      "0": 0,\n      "1": 1\n    }\n  ]\n}'


def test_non_string_keys_are_named_as_javascript_names_them() -> None:
    """Keys json.dumps would convert are converted to JavaScript's property names; a repeated name keeps its first place."""
    assert dumps_js({True: 1, None: 2, 1.5: 3, 7: 4}) == '{\n  "7": 4,\n  "true": 1,\n  "null": 2,\n  "1.5": 3\n}'
    assert dumps_js({"1": "a", "x": 0, 1: "b"}) == '{\n  "1": "b",\n  "x": 0\n}'


def test_strings_escape_like_json_stringify() -> None:
    """Control characters, quotes and lone surrogates are escaped in lower case; U+2028, DEL and pairs are kept."""
    text = "\x00\x1f\b\t\"\\\x7f\u2028é😀\ud83d|\ude00"
    assert dumps_js(text) == '"\\u0000\\u001f\\b\\t\\"\\\\\x7f\u2028é😀\\ud83d|\\ude00"'
    assert dumps_js("\ud83d" + "\ude00") == '"😀"'  # two halves that pair up are one character to JavaScript


def test_deeply_nested_documents_are_written_without_recursion() -> None:
    """A document deeper than the interpreter's recursion limit is written (the writer keeps its own stack)."""
    depth = 3_000  # indented output grows with depth squared
    value: object = []
    for _ in range(depth):
        value = [value]
    text = dumps_js(value)
    assert text.count("[") == depth + 1 and text.endswith("]")
    with pytest.raises(ValueError):
        loads("[" * 100_000 + "]" * 100_000)


def test_circular_structures_are_refused() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular"):
        dumps_js({"a": loop})
    shared = [1]
    assert dumps_js([shared, shared]) == "[\n  [\n    1\n  ],\n  [\n    1\n  ]\n]"  # shared, not circular


def test_unserialisable_values_raise_type_error() -> None:
    with pytest.raises(TypeError):
        dumps_js({"a": {1, 2}})


def test_errors_are_value_errors_with_a_position() -> None:
    for text in ("", "  ", "{\"a\":1} x", "[", "{\"a\"}"):
        with pytest.raises(ValueError, match=r"char \d+"):
            loads(text)


def test_byte_order_mark_is_skipped_unless_javascript_mode() -> None:
    assert loads_text(b"\xef\xbb\xbf{\"a\": 1}\n") == {"a": 1}
    with pytest.raises(ValueError, match="byte-order mark"):
        loads_text(b"\xef\xbb\xbf{\"a\": 1}", js=True)
    assert loads_text(b"{\"a\": NaN}")["a"] != loads_text(b"{\"a\": NaN}")["a"]
    with pytest.raises(ValueError, match="NaN"):
        loads_text(b"{\"a\": NaN}", js=True)
