"""JSON and timestamps exactly as the framework's JavaScript side writes them.

``JSON.stringify(obj, null, 2)``: 2-space indent, ``": "`` after keys, non-ASCII kept
as is, insertion order, no trailing newline. JavaScript has one number type, so an
integral float is written as an integer, and NaN or infinity as ``null``.
Timestamps are ISO-8601 UTC with milliseconds and a literal ``Z``.
"""

from __future__ import annotations

import json
import math
import os
import time
TYPE_CHECKING = False  # typing costs milliseconds to import; the hook pays every import
if TYPE_CHECKING:
    from typing import Any


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


# Numbers that need JavaScript's notation go through json.dumps as a placeholder string
# holding this per-process token, then replace it: no JSON string can hold it by chance.
_PLACEHOLDER = "\x00" + os.urandom(8).hex() + ":"


def _jsify(value: Any, raw: list[str]) -> Any:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 1e16:
            return int(value)
        if "e" not in repr(value):
            return value  # plain decimal notation: Python and JavaScript agree
        raw.append(js_number(value))
        return f"{_PLACEHOLDER}{len(raw) - 1}\x00"
    if isinstance(value, dict):
        return {str(k): _jsify(v, raw) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsify(v, raw) for v in value]
    return value


def _escape_lone_surrogates(text: str) -> str:
    # JavaScript strings may hold half of a surrogate pair (a title cut mid-emoji);
    # JSON.stringify writes it as a \u escape, and so must synapse: UTF-8 cannot encode it.
    return "".join(f"\\u{ord(c):04x}" if "\ud800" <= c <= "\udfff" else c for c in text)


def dumps_js(obj: Any) -> str:
    """Serialise like ``JSON.stringify(obj, null, 2)``."""
    raw: list[str] = []
    text = json.dumps(_jsify(obj, raw), indent=2, ensure_ascii=False, allow_nan=False)
    if raw:
        escaped = json.dumps(_PLACEHOLDER)[1:-1]
        for index, number in enumerate(raw):
            text = text.replace(f'"{escaped}{index}\\u0000"', number, 1)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _escape_lone_surrogates(text)
    return text


def iso_timestamp(epoch_seconds: float | None = None) -> str:
    """``2026-11-26T15:16:38.911Z`` for now or the given time (what JS ``toISOString()`` gives)."""
    ms = int((time.time() if epoch_seconds is None else epoch_seconds) * 1000)
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + ".%03dZ" % millis


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
    from datetime import datetime, timezone

    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
# Without it, opening a FIFO named like a state file blocks until a writer appears (forever).
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def read_bytes_nofollow(path: str) -> bytes:
    """Read a whole regular file, refusing to follow a symlink at ``path`` (``OSError`` ELOOP).

    Anything else that is not a regular file (a folder, a FIFO, a device) raises
    ``OSError`` EISDIR or ENXIO at once instead of blocking or reading without end.
    """
    fd = os.open(path, os.O_RDONLY | _O_CLOEXEC | _O_NOFOLLOW | _O_BINARY | _O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode & 0o170000
        if mode != 0o100000:
            import errno

            code = errno.EISDIR if mode == 0o040000 else errno.ENXIO
            raise OSError(code, "not a regular file", path)
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def loads_text(data: bytes) -> Any:
    """Parse UTF-8 JSON (a trailing newline or a BOM is accepted). Raises ValueError."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
