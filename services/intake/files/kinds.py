"""Which files are refused before reading, and the messages that tell operators what to upload instead.

Agencies upload what their PCs and other government systems produce: old .xls files, password-protected
workbooks, PDF printouts, screenshots, and "Excel exports" that are really HTML pages. Each gets a
message that says what the file is and how to turn it into XLSX or CSV.
"""

import io
import zipfile
import zlib

from .problems import FileProblem
from .values import quote

SAVE_AS = "buka di Excel lalu simpan sebagai Excel Workbook (.xlsx) atau CSV"

_MAGIC = (
    # OLE2 is both the Excel 97-2003 format and the envelope of any password-protected Office file.
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "file Excel 97-2003 (.xls) atau file yang dilindungi kata sandi"),
    (b"%PDF-", "dokumen PDF"),
    (b"\x89PNG\r\n\x1a\n", "gambar PNG"),
    (b"\xff\xd8\xff", "gambar JPEG"),
    (b"GIF87a", "gambar GIF"),
    (b"GIF89a", "gambar GIF"),
    (b"\x1f\x8b", "arsip GZIP"),
    (b"Rar!\x1a\x07", "arsip RAR"),
    (b"7z\xbc\xaf\x27\x1c", "arsip 7-Zip"),
)


def unsupported(filename: str | None, what: str) -> FileProblem:
    name = f"File {quote(filename)}" if filename else "File ini"
    return FileProblem(415, "unsupported_file", f"{name} adalah {what}, bukan XLSX atau CSV; {SAVE_AS}")


def refuse_binary(data: bytes, filename: str | None) -> None:
    """Known non-text formats by their first bytes; unknown binary is caught after decoding (csv_reader)."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise unsupported(filename, what)


# XML compresses well, but an XLSX that unpacks to a hundred times its size is a zip bomb, not a report.
_EXPANSION_LIMIT = 100


def check_workbook_zip(data: bytes, filename: str | None, max_bytes: int) -> None:
    """A zip is an XLSX only if its content types say so: .docx, .ods and plain archives are zips too."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            # Declared sizes bound what zipfile will inflate, so checking them first is enough.
            if sum(info.file_size for info in infos) > _EXPANSION_LIMIT * max_bytes:
                raise FileProblem(413, "file_too_large", "Isi file XLSX terlalu besar setelah dibuka")
            names = {info.filename for info in infos}
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except _ZIP_ERRORS:
        raise FileProblem(422, "unreadable_file", "File XLSX rusak atau tidak lengkap; " + SAVE_AS) from None
    if b"opendocument.spreadsheet" in mimetype:
        raise unsupported(filename, "file OpenDocument (.ods)")
    if b"sheet.binary" in types:
        raise unsupported(filename, "file Excel Binary (.xlsb)")
    if b"spreadsheetml" not in types and b"ms-excel.sheet" not in types:
        raise unsupported(filename, "arsip ZIP yang bukan file Excel")


# What zipfile raises on truncated, corrupt or encrypted archives.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)
