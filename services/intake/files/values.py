"""Cell text -> values, the way people in Indonesian offices write them.

Every parser takes the cell's text (never empty: callers treat empty cells as "not given") and either
returns the value or raises `ValueProblem(code, message)` with a message in Bahasa Indonesia that quotes
the offending text, shortened so a pasted paragraph does not flood the error list.
"""

import math
import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import TypeVar

from shared.contracts.common import Rating

from .problems import ValueProblem

E = TypeVar("E", bound=StrEnum)

QUOTE_LIMIT = 40


def quote(text: str) -> str:
    """The offending text as messages show it: one line, at most QUOTE_LIMIT characters."""
    flat = " ".join(text.split())
    if len(flat) > QUOTE_LIMIT:
        flat = flat[: QUOTE_LIMIT - 1] + "…"
    return f"'{flat}'"


def squash(text: str) -> str:
    """Lowercase without spaces, underscores, dashes or dots: "Di Atas", "di_atas" and "diatas" compare equal."""
    return re.sub(r"[\s_.\-]+", "", text.lower())


# Thousands separators must group by three, so "1.234,5" and "1,234.5" are unambiguous. A lone separator
# is the decimal one, whichever it is: Indonesian Excel writes "92,5", XLSX cells and programs write "92.5".
_PLAIN = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
_GROUPED = {
    ".": re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?"),
    ",": re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"),
}
# Excel shows these instead of a value when a formula fails.
_EXCEL_ERRORS = re.compile(r"#(?:DIV/0!|N/A|NAME\?|NULL!|NUM!|REF!|VALUE!|SPILL!|CALC!|GETTING_DATA)", re.I)


def parse_number(text: str) -> float:
    """ "92,5", "92.5", "1.234,5", "1,234.5", " 95 ", "-3", "92,5%" (-> 92.5: cells show percent values).

    Exponents, "nan" and "inf" are refused: office users never type them, and an exponent in a cell
    usually means Excel mangled a long number.
    """
    raw = text
    text = text.strip().replace("\u2212", "-")
    if not text:
        raise ValueProblem("not_a_number", "nilai kosong bukan angka")
    if _EXCEL_ERRORS.fullmatch(text):
        raise ValueProblem("formula_error", f"sel berisi galat rumus Excel {quote(text)}")
    body = text.removesuffix("%").rstrip()
    sign = ""
    if body.startswith(("+", "-")):
        sign, body = body[0], body[1:].lstrip()
    if _PLAIN.fullmatch(body):
        normal = body.replace(",", ".")
    elif _GROUPED["."].fullmatch(body):
        normal = body.replace(".", "").replace(",", ".")
    elif _GROUPED[","].fullmatch(body):
        normal = body.replace(",", "")
    else:
        raise ValueProblem("not_a_number", f"{quote(raw)} bukan angka")
    value = float(sign + normal)
    if not math.isfinite(value):
        raise ValueProblem("number_too_large", f"{quote(raw)} terlalu besar")
    return value


def parse_integer(text: str) -> int:
    value = parse_number(text)
    if not value.is_integer():
        raise ValueProblem("not_an_integer", f"{quote(text)} harus bilangan bulat")
    return int(value)


_RATINGS = {
    "diatas": Rating.DI_ATAS,
    "atas": Rating.DI_ATAS,
    "melebihi": Rating.DI_ATAS,
    "sesuai": Rating.SESUAI,
    "dibawah": Rating.DI_BAWAH,
    "bawah": Rating.DI_BAWAH,
}
RATING_WORDS = ("Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi")


def parse_rating(text: str) -> Rating:
    """The three ratings however they are typed: "Di Atas Ekspektasi", "di_atas_ekspektasi", "diatas", "atas"."""
    key = squash(text).removesuffix("ekspektasi").removesuffix("harapan")
    rating = _RATINGS.get(key)
    if rating is None:
        words = ", ".join(RATING_WORDS[:-1]) + " atau " + RATING_WORDS[-1]
        raise ValueProblem("unknown_rating", f"{quote(text)} bukan rating yang dikenal; gunakan {words}")
    return rating


_BOOLS = {
    **dict.fromkeys(("ya", "y", "yes", "true", "benar", "1"), True),
    **dict.fromkeys(("tidak", "tdk", "t", "no", "n", "false", "salah", "0"), False),
}


def parse_bool_id(text: str) -> bool:
    """Ya/Tidak as typed, and TRUE/FALSE or BENAR/SALAH as Excel writes booleans."""
    value = _BOOLS.get(squash(text))
    if value is None:
        raise ValueProblem("not_a_boolean", f"{quote(text)} harus Ya atau Tidak")
    return value


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan"),
            ("februari", "feb", "pebruari", "peb"),
            ("maret", "mar"),
            ("april", "apr"),
            ("mei",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("agustus", "agu", "agt", "ags"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov", "nop", "nopember"),
            ("desember", "des"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?")
_DAY_FIRST = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
_WORDS = re.compile(r"([0-9]{1,2})[\s\-]+([A-Za-z]+)\.?[\s\-]+([0-9]{4})")


def parse_date(text: str) -> date:
    """ISO "2026-10-01" (what XLSX date cells become), "01/10/2026" (day first, as in Indonesia), "1 Oktober 2026"."""
    text = text.strip()
    parts: tuple[int, int, int] | None = None
    if match := _ISO.fullmatch(text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _DAY_FIRST.fullmatch(text):
        parts = (int(match[3]), int(match[2]), int(match[1]))
    elif (match := _WORDS.fullmatch(text)) and match[2].lower() in _MONTHS:
        parts = (int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    try:
        if parts is not None:
            return date(*parts)
    except ValueError:
        pass
    raise ValueProblem(
        "not_a_date", f"{quote(text)} bukan tanggal yang valid; gunakan format YYYY-MM-DD atau DD/MM/YYYY"
    )


def parse_choice(text: str, choices: Mapping[str, E], hint: str) -> E:
    """An enum value from its squashed spelling or an Indonesian alias; `hint` lists the words to use."""
    value = choices.get(squash(text))
    if value is None:
        raise ValueProblem("unknown_choice", f"{quote(text)} tidak dikenal; gunakan {hint}")
    return value


def choices_of(enum: type[E], aliases: Mapping[str, E] | None = None) -> dict[str, E]:
    """Squashed enum values plus aliases, for `parse_choice`."""
    table = {squash(member.value): member for member in enum}
    table.update({squash(alias): member for alias, member in (aliases or {}).items()})
    return table


_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+\-]?[0-9]+")


def clean_nip(text: str) -> str:
    """An NIP as people write it ("19850312 201001 1 002", "'1985…") without the spaces and apostrophe.

    The NIP's structure is checked by the contract; this only catches what Excel did to it: an 18-digit
    number typed into a General cell is kept to 15 digits and shown as "1,98503E+17".
    """
    nip = "".join(text.split()).lstrip("'")
    if _SCIENTIFIC.fullmatch(nip):
        raise ValueProblem("nip_as_number", NIP_AS_NUMBER.format(value=quote(text)))
    return nip


NIP_AS_NUMBER = (
    "NIP {value} tersimpan sebagai angka sehingga digit terakhirnya hilang; "
    "format kolom sebagai Teks lalu ketik ulang NIP"
)


def split_list(text: str, separators: str = r"[\s,]+") -> list[str]:
    return [part for part in re.split(separators, text) if part]
