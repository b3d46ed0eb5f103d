"""CSV as office PCs write it: Excel's "CSV (dipisahkan koma)" in Indonesian locale uses ";" and decimal
commas and the ANSI code page (Windows-1252); "CSV UTF-8" adds a BOM; "Unicode Text" is UTF-16 with tabs.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator

import charset_normalizer

from .kinds import unsupported
from .problems import FileProblem

_SAMPLE = 64 * 1024
_DELIMITERS = ";,\t"  # ties go to ";": Indonesian Excel writes it, and it never appears in numbers
_SEP_HINT = re.compile(r"sep=(.)\s*")
_BINARY = "file biner (bukan teks)"
_MARKUP = "halaman HTML/XML (sering dihasilkan fitur 'ekspor ke Excel' aplikasi lain)"


def decode_text(data: bytes, filename: str | None) -> str:
    """UTF-8 first (with or without BOM); then Windows-1252, the code page of Indonesian Windows PCs.

    Windows-1252 decodes all but five byte values, so charset-normalizer only guesses for files that
    are in some other encoding; Latin-1 is the last resort because it decodes anything.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), filename)
        except UnicodeDecodeError:
            raise unsupported(filename, _BINARY) from None
    if b"\x00" in data[:_SAMPLE]:
        raise unsupported(filename, _BINARY)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return _checked(data.decode(encoding), filename)
        except UnicodeDecodeError:
            pass
    guess = charset_normalizer.from_bytes(data).best()
    return _checked(str(guess) if guess is not None else data.decode("latin-1"), filename)


def _checked(text: str, filename: str | None) -> str:
    """Binary data decodes as Windows-1252 too; control characters and markup give it away."""
    sample = text[:_SAMPLE]
    head = sample.lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<!doctype", "<html", "<?xml", "<table", "<meta", "<head", "<body")):
        raise unsupported(filename, _MARKUP)
    controls = sum(1 for ch in sample if (ch < " " and ch not in "\t\r\n\f\v\x1a") or "\x7f" <= ch <= "\x9f")
    if controls * 100 > len(sample):
        raise unsupported(filename, _BINARY)
    return text


def sniff_delimiter(line: str) -> str:
    """The most frequent of ";", "," and tab outside quotes in the header line; "," for a single column."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(_DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


def _dialect(text: str) -> tuple[str, bool]:
    """Delimiter, and whether the first line is Excel's "sep=;" hint (Excel hides it, so it gets no number)."""
    lines = io.StringIO(text, newline=None)
    first = lines.readline()
    if hint := _SEP_HINT.fullmatch(first.strip("\r\n")):
        return hint[1], True
    line = first
    while line and not line.strip():
        line = lines.readline()
    return sniff_delimiter(line), False


def clean_cell(value: str) -> str | None:
    """Strip, and unwrap ="…", which exports use to stop Excel turning NIPs into numbers."""
    value = value.strip()
    if len(value) >= 3 and value.startswith('="') and value.endswith('"'):
        value = value[2:-1].replace('""', '"').strip()
    return value or None


def csv_rows(data: bytes, filename: str | None) -> Iterator[tuple[int, list[str | None], frozenset[int]]]:
    """Records numbered as Excel shows them: blank lines count, a quoted multi-line cell is one row."""
    text = decode_text(data, filename)
    delimiter, skip_hint = _dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for record in reader:
            if skip_hint:
                skip_hint = False
                continue
            number += 1
            yield number, [clean_cell(value) for value in record], frozenset()
    except csv.Error:
        raise FileProblem(
            422,
            "invalid_csv",
            f'CSV tidak dapat dibaca setelah baris {number}; periksa tanda kutip (") yang tidak ditutup',
        ) from None
