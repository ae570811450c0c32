"""JSON and timestamps exactly as the framework's JavaScript side writes them.

``JSON.stringify(obj, null, 2)``: 2-space indent, ``": "`` after keys, non-ASCII kept
as is, no trailing newline; keys in a JavaScript object's order (integer-like keys
first, ascending, then the others as inserted). JavaScript has one number type, so
numbers are written as ``Number#toString`` writes them (an integral float as an
integer, an integer beyond 2**53 rounded to the nearest double, NaN or infinity as
``null``). Timestamps are ISO-8601 UTC with milliseconds and a literal ``Z``.

The hook reads and writes JSON on every prompt, and ``import json`` costs it more than
all its own work (json imports ``re``). So this module parses with the C accelerator
``_json`` directly and writes with its own serializer; only when ``_json`` is missing
(not CPython) does it fall back to the ``json`` package. A parse error still imports
``json.decoder`` (the accelerator raises its ``JSONDecodeError``): only corrupt input
pays for it.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

_INFINITY = float("inf")
_CONSTANTS = {"NaN": float("nan"), "Infinity": _INFINITY, "-Infinity": -_INFINITY}


def _lenient_constant(name: str) -> float:
    return _CONSTANTS[name]  # what json.loads accepts beyond JSON


def _js_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON (JavaScript's JSON.parse refuses it)")


class _ScanContext:
    """The attributes ``_json.make_scanner`` reads from its context (a ``json.JSONDecoder`` normally)."""

    def __init__(self, parse_constant: Callable[[str], float]) -> None:
        self.strict = True  # control characters inside strings are errors, as in JavaScript
        self.object_hook = None
        self.object_pairs_hook = None
        self.parse_float = float  # exactly float and int: the accelerator's fast paths
        self.parse_int = int
        self.parse_constant = parse_constant
        self.memo: dict[str, str] = {}  # read by the pure-Python scanner only


try:
    import _json

    _encode_string: Callable[[str], str] = _json.encode_basestring
    _SCANNERS = {
        False: _json.make_scanner(_ScanContext(_lenient_constant)),  # type: ignore[arg-type]  # any object with the attributes
        True: _json.make_scanner(_ScanContext(_js_constant)),  # type: ignore[arg-type]
    }
except ImportError:  # an interpreter without the accelerator: the json package's pure-Python code
    import json as _json_package
    from json.encoder import py_encode_basestring as _encode_string

    _SCANNERS = {}

_WHITESPACE = " \t\n\r"  # JSON's four; JavaScript's JSON.parse accepts no other
_DIGITS = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
_MAX_EXACT = 2**53  # integers up to this magnitude are exact JavaScript numbers
_MAX_ARRAY_INDEX = 2**32 - 2  # JavaScript orders keys "0".."4294967294" first


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return f"line {line} column {column} (char {pos})"


def loads(text: str, js: bool = False) -> Any:
    """Parse a JSON document (``str``). Raises ValueError.

    ``js=True`` accepts only what JavaScript's ``JSON.parse`` accepts: no NaN or
    Infinity (and no byte-order mark, which the caller strips or not). A document
    nested deeper than the interpreter's recursion allows is an error too.
    """
    scanner = _SCANNERS.get(js)
    try:
        if scanner is None:
            return _json_package.loads(text, parse_constant=_js_constant if js else _lenient_constant)
        start = len(text) - len(text.lstrip(_WHITESPACE))
        try:
            try:
                value, end = scanner(text, start)
            except SystemError:
                # The accelerator reports a syntax error with json.decoder's JSONDecodeError,
                # which it looks up in sys.modules only: until json.decoder is imported, it
                # fails without an exception. Import it (only a bad document pays) and parse
                # again, which raises the error with its message.
                import json.decoder  # noqa: F401

                value, end = scanner(text, start)
        except StopIteration as stop:
            raise ValueError(f"Expecting value: {_where(text, stop.value)}") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if text[end:].strip(_WHITESPACE):
        end = len(text) - len(text[end:].lstrip(_WHITESPACE))
        raise ValueError(f"Extra data: {_where(text, end)}")
    return value


def js_number(value: float) -> str:
    """A finite float as JavaScript's ``Number.prototype.toString`` writes it.

    Both print the shortest digits that round-trip; they differ only in where they
    switch to exponent notation (JavaScript: below 1e-6 and from 1e21) and its form.
    """
    text = repr(abs(value))
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # ``point``: where the decimal point goes counting from the first significant digit.
    point = len(whole) + (int(exponent) if exponent else 0) - (len(whole + fraction) - len((whole + fraction).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    sign = "-" if value < 0 else ""
    if digits == "0":
        return "0"
    if len(digits) <= point <= 21:
        body = digits + "0" * (point - len(digits))
    elif 0 < point <= 21:
        body = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        body = "0." + "0" * -point + digits
    else:
        power = point - 1
        body = (digits[0] + ("." + digits[1:] if len(digits) > 1 else "")) + ("e+" if power >= 0 else "e-") + str(abs(power))
    return sign + body


def _finite(value: float) -> bool:
    # ``math.isfinite`` without importing ``math``: an extension module every prompt would load.
    return value - value == 0


def _js_float(value: float) -> str:
    if not _finite(value):
        return "null"  # JSON.stringify(NaN) and of Infinity
    text = float.__repr__(value)
    if "e" in text:
        return js_number(value)  # Python and JavaScript switch to exponents at different points
    if text.endswith(".0"):
        return "0" if value == 0 else text[:-2]  # -0 is written 0
    return text  # the same shortest round-trip digits in plain notation


def _js_int(value: int) -> str:
    if -_MAX_EXACT <= value <= _MAX_EXACT:
        return int.__repr__(value)
    # JSON.parse makes it the nearest double, which JSON.stringify then writes.
    try:
        return js_number(float(value))
    except OverflowError:
        return "null"  # beyond the largest double: Infinity, written null


def _key_text(key: Any) -> str:
    """A dict key as the property name JavaScript would use (json.dumps converts the same kinds)."""
    if isinstance(key, str):
        return key
    if key is True or key is False or key is None:
        return "true" if key is True else "false" if key is False else "null"
    if isinstance(key, int):
        return _js_int(key)
    if isinstance(key, float):
        if _finite(key):
            return _js_float(key)
        return "NaN" if key != key else "Infinity" if key > 0 else "-Infinity"
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _is_array_index(key: str) -> bool:
    """Whether JavaScript orders this property name as an integer key (a canonical array index)."""
    return (
        key.isascii() and key.isdigit() and len(key) <= 10
        and (key == "0" or key[0] != "0") and int(key) <= _MAX_ARRAY_INDEX
    )


def _object_items(obj: dict[Any, Any]) -> Iterable[tuple[str, Any]]:
    """The entries in JavaScript's property order: integer keys ascending, then the rest as inserted."""
    for key in obj:
        if type(key) is not str or key[:1] in _DIGITS:
            break
    else:
        return obj.items()  # the common case: string keys, none integer-like
    named: dict[str, Any] = {}
    for key, value in obj.items():
        named[_key_text(key)] = value  # a repeated name keeps its first place and its last value, as in JS
    indexed = sorted((int(key), key) for key in named if _is_array_index(key))
    if not indexed:
        return named.items()
    return [(key, named[key]) for _, key in indexed] + [(k, v) for k, v in named.items() if not _is_array_index(k)]


def _lone_surrogates_escaped(text: str) -> str:
    # JavaScript strings may hold half of a surrogate pair (a title cut mid-emoji);
    # JSON.stringify writes it as a lower-case \u escape, and so must synapse: UTF-8 cannot
    # encode it. Two halves that form a pair are one character to JavaScript: join them first.
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return "".join(f"\\u{ord(c):04x}" if "\ud800" <= c <= "\udfff" else c for c in text)


def _scalar(value: Any) -> str | None:
    """The text of a value that is not a container, or None for a container."""
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return _js_int(value)
    if isinstance(value, float):
        return _js_float(value)
    if isinstance(value, (dict, list, tuple)):
        return None
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps_js(obj: Any) -> str:
    """Serialise like ``JSON.stringify(obj, null, 2)``.

    Iterative, with an explicit stack: any depth the parser accepted can be written back
    (recursion would fail near the interpreter's limit). A container that holds itself
    raises ValueError, as json.dumps does.
    """
    parts: list[str] = []
    write = parts.append
    # One frame per open container: [entries iterator, is object, its indent, first entry pending, id]
    stack: list[list[Any]] = []
    open_ids: set[int] = set()
    value = obj
    while True:
        text = _scalar(value)
        if text is not None:
            write(text)
        elif not value:
            write("{}" if isinstance(value, dict) else "[]")
        else:
            if id(value) in open_ids:
                raise ValueError("Circular reference detected")
            open_ids.add(id(value))
            is_object = isinstance(value, dict)
            write("{" if is_object else "[")
            indent = "\n" + "  " * (len(stack) + 1)
            stack.append([iter(_object_items(value) if is_object else value), is_object, indent, True, id(value)])
        while stack:
            frame = stack[-1]
            entry: Any = next(frame[0], _END)
            if entry is _END:
                stack.pop()
                open_ids.discard(frame[4])
                write(frame[2][:-2] + ("}" if frame[1] else "]"))
                continue
            write(frame[2] if frame[3] else "," + frame[2])
            frame[3] = False
            if frame[1]:
                write(_encode_string(entry[0]) + ": ")
                value = entry[1]
            else:
                value = entry
            break
        else:
            break
    text = "".join(parts)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _lone_surrogates_escaped(text)
    return text


_END = object()


def iso_timestamp(epoch_seconds: float | None = None) -> str:
    """``2026-11-26T15:16:38.911Z`` for now or the given time (what JS ``toISOString()`` gives)."""
    ms = int((time.time() if epoch_seconds is None else epoch_seconds) * 1000)
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def epoch_ms(epoch_seconds: float | None = None) -> int:
    return int((time.time() if epoch_seconds is None else epoch_seconds) * 1000)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _parse_canonical(value: str) -> float | None:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ``, the form synapse and the framework write, without datetime.

    Cleanup parses a timestamp per stale session on the first prompt; importing datetime
    for that costs more than the parsing. Anything else returns None (the general parser).
    """
    if len(value) != 24 or value[23] != "Z" or value[4] != "-" or value[7] != "-" or value[10] != "T" \
            or value[13] != ":" or value[16] != ":" or value[19] != ".":
        return None
    digits = value[0:4] + value[5:7] + value[8:10] + value[11:13] + value[14:16] + value[17:19] + value[20:23]
    if not (digits.isascii() and digits.isdigit()):
        return None
    year, month, day = int(value[0:4]), int(value[5:7]), int(value[8:10])
    hour, minute, second, millis = int(value[11:13]), int(value[14:16]), int(value[17:19]), int(value[20:23])
    if not (1 <= month <= 12 and 1 <= day <= _days_in_month(year, month) and hour < 24 and minute < 60 and second < 60):
        return None
    # Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
    shifted = year - (month <= 2)
    era = shifted // 400
    year_of_era = shifted - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    return days * 86400 + hour * 3600 + minute * 60 + second + millis / 1000.0


def parse_timestamp(value: Any) -> float | None:
    """Seconds since the epoch for an ISO-8601 string, or None when it is not one.

    A time without a zone is taken as UTC (as the framework writes UTC only).
    """
    if not isinstance(value, str) or not value:
        return None
    canonical = _parse_canonical(value)
    if canonical is not None:
        return canonical
    from datetime import UTC, datetime

    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def loads_text(data: bytes, js: bool = False) -> Any:
    """Parse UTF-8 JSON bytes (a trailing newline is accepted). Raises ValueError.

    A UTF-8 byte-order mark is skipped, unless ``js=True``: then the document must be
    one JavaScript's ``JSON.parse`` reads (no BOM, no NaN or Infinity), so a decision
    such as deleting a file is never made on a document JavaScript cannot read.
    """
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        if js:
            raise ValueError("starts with a UTF-8 byte-order mark (JavaScript's JSON.parse refuses it)")
        text = text[1:]
    return loads(text, js)
