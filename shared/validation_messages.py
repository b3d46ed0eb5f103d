"""Validation errors as people read them: Bahasa Indonesia, one field notation, the value quoted.

A detail names its field in one notation, the one intake's rejection reasons use:
dotted names with list indexes in brackets (`realisasi[0].row_id`,
`perilaku.akuntabel`, `period.end`); a key that is not a plain name is quoted in
brackets (`["nama lengkap"]`). Its message is Indonesian and quotes the value
received, shortened (`harus berupa angka (diterima: "12")`). Codes are stable: the
pydantic error type (`missing`, `int_type`, ...), `invalid_nip.<part>`,
`invalid_value` for a rule of ours.
"""

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from shared.contracts.nip import NipError

# Every error type pydantic-core knows (pydantic_core.core_schema.ErrorType), in Indonesian. A test keeps this
# list complete; a type added by a later pydantic still gets FALLBACK_MESSAGE, never pydantic's English.
_MESSAGES: dict[str, str] = {
    # Structure of the body
    "missing": "wajib diisi",
    "extra_forbidden": "kolom ini tidak dikenal",
    "invalid_key": "nama kolom harus berupa teks",
    "no_such_attribute": "kolom ini tidak dikenal",
    "get_attribute_error": "kolom tidak dapat dibaca",
    "model_type": "harus berupa objek",
    "model_attributes_type": "harus berupa objek",
    "dataclass_type": "harus berupa objek",
    "dataclass_exact_type": "harus berupa objek",
    "named_tuple_type": "harus berupa daftar atau objek",
    "dict_type": "harus berupa objek",
    "frozen_dict_type": "harus berupa objek",
    "ordered_dict_type": "harus berupa objek",
    "counter_type": "harus berupa objek",
    "mapping_type": "harus berupa objek",
    "list_type": "harus berupa daftar",
    "tuple_type": "harus berupa daftar",
    "set_type": "harus berupa daftar",
    "frozen_set_type": "harus berupa daftar",
    "deque_type": "harus berupa daftar",
    "iterable_type": "harus berupa daftar",
    "iteration_error": "daftar tidak dapat dibaca",
    "set_item_not_hashable": "isian daftar harus berupa teks atau angka",
    "too_short": "minimal {min_length} isian",
    "too_long": "maksimal {max_length} isian",
    "frozen_field": "tidak boleh diubah",
    "frozen_instance": "tidak boleh diubah",
    "default_factory_not_called": "tidak dapat diisi otomatis karena ada kolom lain yang salah",
    "none_required": "harus kosong (null)",
    "recursion_loop": "data merujuk ke dirinya sendiri",
    "recursion_depth_exceeded": "data bersarang terlalu dalam",
    "json_invalid": "JSON tidak valid",
    "json_type": "harus berupa teks JSON",
    "needs_python_object": "nilai tidak valid",
    "is_instance_of": "jenis nilainya tidak sesuai",
    "is_subclass_of": "jenis nilainya tidak sesuai",
    "callable_type": "jenis nilainya tidak sesuai",
    "union_tag_invalid": "jenis tidak dikenal; harus salah satu dari: {expected_tags}",
    "union_tag_not_found": "kolom penentu jenis ({discriminator}) wajib diisi",
    "missing_sentinel_error": "nilai tidak valid",
    "ellipsis_error": "nilai tidak valid",
    # Arguments (validate_call)
    "arguments_type": "argumen harus berupa daftar atau objek",
    "missing_argument": "wajib diisi",
    "missing_keyword_only_argument": "wajib diisi",
    "missing_positional_only_argument": "wajib diisi",
    "unexpected_keyword_argument": "kolom ini tidak dikenal",
    "unexpected_positional_argument": "argumen ini tidak dikenal",
    "multiple_argument_values": "diisi lebih dari sekali",
    # Text
    "string_type": "harus berupa teks",
    "string_unicode": "harus berupa teks Unicode",
    "string_too_short": "terlalu pendek (minimal {min_length} karakter)",
    "string_too_long": "terlalu panjang (maksimal {max_length} karakter)",
    "string_pattern_mismatch": "formatnya tidak sesuai",
    "string_not_ascii": "hanya boleh berisi huruf, angka dan tanda baca ASCII",
    "bytes_type": "harus berupa teks",
    "bytes_too_short": "terlalu pendek (minimal {min_length} bita)",
    "bytes_too_long": "terlalu panjang (maksimal {max_length} bita)",
    "bytes_invalid_encoding": "pengodean teksnya tidak sesuai ({encoding})",
    "enum": "harus salah satu dari: {expected}",
    "literal_error": "harus salah satu dari: {expected}",
    # Numbers
    "bool_type": "harus berupa true atau false",
    "bool_parsing": "harus berupa true atau false",
    "int_type": "harus berupa bilangan bulat",
    "int_parsing": "harus berupa bilangan bulat",
    "int_parsing_size": "bilangan bulat terlalu besar",
    "int_from_float": "harus berupa bilangan bulat, tanpa pecahan",
    "float_type": "harus berupa angka",
    "float_parsing": "harus berupa angka",
    "finite_number": "harus berupa angka yang terhingga (bukan NaN atau Infinity)",
    "greater_than": "harus lebih besar dari {gt}",
    "greater_than_equal": "tidak boleh kurang dari {ge}",
    "less_than": "harus lebih kecil dari {lt}",
    "less_than_equal": "tidak boleh lebih dari {le}",
    "multiple_of": "harus kelipatan {multiple_of}",
    "decimal_type": "harus berupa angka",
    "decimal_parsing": "harus berupa angka",
    "decimal_max_digits": "paling banyak {max_digits} digit",
    "decimal_max_places": "paling banyak {decimal_places} angka di belakang koma",
    "decimal_whole_digits": "paling banyak {whole_digits} digit di depan koma",
    "fraction_type": "harus berupa angka",
    "fraction_parsing": "harus berupa angka",
    "complex_type": "harus berupa angka",
    "complex_str_parsing": "harus berupa angka",
    # Dates and times
    "date_type": "harus berupa tanggal (YYYY-MM-DD)",
    "date_parsing": "tanggal tidak valid (gunakan YYYY-MM-DD)",
    "date_from_datetime_parsing": "tanggal tidak valid (gunakan YYYY-MM-DD)",
    "date_from_datetime_inexact": "harus berupa tanggal saja, tanpa jam (YYYY-MM-DD)",
    "date_past": "harus tanggal yang sudah lewat",
    "date_future": "harus tanggal yang akan datang",
    "time_type": "harus berupa jam (HH:MM:SS)",
    "time_parsing": "jam tidak valid (gunakan HH:MM:SS)",
    "datetime_type": "harus berupa waktu (mis. 2026-10-01T08:00:00+07:00)",
    "datetime_parsing": "waktu tidak valid (gunakan mis. 2026-10-01T08:00:00+07:00)",
    "datetime_object_invalid": "waktu tidak valid (gunakan mis. 2026-10-01T08:00:00+07:00)",
    "datetime_from_date_parsing": "waktu tidak valid (gunakan mis. 2026-10-01T08:00:00+07:00)",
    "datetime_past": "harus waktu yang sudah lewat",
    "datetime_future": "harus waktu yang akan datang",
    "timezone_naive": "tidak boleh menyertakan zona waktu",
    "timezone_aware": "harus menyertakan zona waktu (mis. +07:00)",
    "timezone_offset": "zona waktunya tidak sesuai",
    "time_delta_type": "harus berupa durasi",
    "time_delta_parsing": "durasi tidak valid",
    # Links and ids
    "url_type": "harus berupa tautan (teks)",
    "url_parsing": "tautan tidak valid",
    "url_syntax_violation": "tautan tidak valid",
    "url_too_long": "tautan terlalu panjang (maksimal {max_length} karakter)",
    "url_scheme": "tautan harus diawali {expected_schemes}",
    "uuid_type": "harus berupa UUID (teks)",
    "uuid_parsing": "UUID tidak valid",
    "uuid_version": "harus UUID versi {expected_version}",
    # Rules of our own (the ValueError's message is used instead when there is one)
    "value_error": "nilai tidak valid",
    "assertion_error": "nilai tidak valid",
}
FALLBACK_MESSAGE = "nilai tidak valid"

# The value received is not quoted for these: there is none, or a count says more than the value.
_UNQUOTED = frozenset(
    {
        "missing",
        "missing_argument",
        "missing_keyword_only_argument",
        "missing_positional_only_argument",
        "json_invalid",
        "too_short",
        "too_long",
        "recursion_loop",
        "recursion_depth_exceeded",
        "default_factory_not_called",
    }
)
_PREVIEW_CHARS = 40
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A smart union's member in a location ("function-after[check_nip(), str]"): internals, not a field.
_UNION_MEMBER = re.compile(
    r"(function-(after|before|wrap|plain)|lax-or-strict|json-or-python|nullable|union|tagged-union|is-instance"
    r"|list|dict|set|frozenset|tuple|model|dataclass|typed-dict|literal|enum|constrained-[a-z]+)\[.*\]"
)
_LOCATIONS = frozenset({"body"})
_KEY_MARKER = "[key]"


# --- field names and values as people read them --------------------------------------------------------------


def field_path(loc: Sequence[str | int]) -> str:
    """`("body", "realisasi", 0, "row_id")` -> `realisasi[0].row_id`; the whole body is `body`."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == _KEY_MARKER or _UNION_MEMBER.fullmatch(part):
            continue
        elif _PLAIN_NAME.fullmatch(part) and len(part) <= _PREVIEW_CHARS:
            path += f".{part}" if path else part
        else:
            path += f"[{_quote_text(part)}]"
    return path or "body"


def preview(value: Any) -> str:
    """The value as JSON, cut to about 40 characters with "…": enough to find it, never the whole body."""
    if isinstance(value, str):
        return _quote_text(value)
    text = _render(value, _PREVIEW_CHARS + 1)
    return text if len(text) <= _PREVIEW_CHARS else text[:_PREVIEW_CHARS] + "…"


def _quote_text(text: str) -> str:
    """A JSON string of at most about 40 characters; a lone surrogate (not encodable in UTF-8) escaped."""
    pieces, length = [], 0
    for char in text:
        piece = json.dumps(char, ensure_ascii="\ud800" <= char <= "\udfff")[1:-1]
        if length + len(piece) > _PREVIEW_CHARS:
            return '"' + "".join(pieces) + '…"'
        pieces.append(piece)
        length += len(piece)
    return '"' + "".join(pieces) + '"'


def _render(value: Any, budget: int) -> str:
    """Compact JSON that stops once `budget` characters are written (so depth is bounded too)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # more digits than Python converts to text
            return "<bilangan bulat lebih dari 4300 digit>"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, str):
        return _quote_text(value[:budget])
    if isinstance(value, Mapping):
        return _render_items("{", "}", ((f"{_render(str(k), budget)}: ", v) for k, v in value.items()), budget)
    if isinstance(value, list | tuple | set | frozenset):
        return _render_items("[", "]", (("", v) for v in value), budget)
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bita>"
    return _quote_text(str(value)[:budget])


def _render_items(opening: str, closing: str, items: Any, budget: int) -> str:
    text = opening
    for index, (prefix, item) in enumerate(items):
        if len(text) >= budget:
            return text
        text += (", " if index else "") + prefix + _render(item, budget - len(text))
    return text + closing


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _alternatives(expected: Any, joiner: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as "a, b, c" (no English "or")."""
    text = str(expected)
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", text)
    return joiner.join(quoted) if quoted else text.replace(" or ", " atau ")


def _template_values(ctx: Mapping[str, Any]) -> dict[str, Any]:
    values = {key: _number(value) for key, value in ctx.items()}
    for key in ("expected", "expected_tags"):
        if key in values:
            values[key] = _alternatives(values[key], ", ")
    if "expected_schemes" in values:
        values["expected_schemes"] = _alternatives(values["expected_schemes"], " atau ")
    return values


def _message(kind: str, ctx: Mapping[str, Any]) -> str:
    template = _MESSAGES.get(kind, FALLBACK_MESSAGE)
    try:
        message = template.format_map(_template_values(ctx))
    except (KeyError, IndexError, ValueError, AttributeError):
        return FALLBACK_MESSAGE
    if kind in ("too_short", "too_long") and ctx.get("actual_length") is not None:
        message += f" (ada {ctx['actual_length']})"
    return message


def _quoted(message: str, value: Any) -> str:
    return f"{message} (diterima: {preview(value)})"


def describe(error: Mapping[str, Any]) -> dict[str, str]:
    """One pydantic error (from FastAPI's RequestValidationError or a ValidationError) as a detail."""
    loc = tuple(error.get("loc") or ())
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    value = error.get("input")
    is_key = bool(loc) and loc[-1] == _KEY_MARKER
    field = "body" if kind == "json_invalid" else field_path(loc)
    cause = ctx.get("error")
    if isinstance(cause, NipError):
        message = str(cause)
        # Most NIP messages already show the wrong part of the number; the others get the whole of it.
        if not re.search(r"\d{6}", message):
            message = _quoted(message, value)
        return {"field": field, "code": f"invalid_nip.{cause.part}", "message": message}
    if kind in ("value_error", "assertion_error"):
        message = str(cause) if isinstance(cause, Exception) and str(cause) else FALLBACK_MESSAGE
        if not isinstance(value, Mapping | list):  # a rule over a whole object: the rule says what is wrong
            message = _quoted(message, value)
        return {"field": field, "code": "invalid_value", "message": message}
    if kind in ("model_attributes_type", "model_type", "dict_type") and isinstance(value, bytes | bytearray):
        message = "isi permintaan harus berupa objek JSON (Content-Type: application/json)"
        return {"field": field, "code": kind, "message": message}
    if kind == "json_invalid":
        position = loc[-1] if len(loc) > 1 and isinstance(loc[-1], int) else None
        message = "JSON tidak valid" + (f" (posisi karakter {position})" if position is not None else "")
        return {"field": field, "code": kind, "message": message}
    message = _message(kind, ctx)
    if is_key:
        message = f"nama kunci {message}"
    if kind not in _UNQUOTED:
        message = _quoted(message, value)
    return {"field": field, "code": kind, "message": message}


# --- the documented shape ----------------------------------------------------------------------------------------
