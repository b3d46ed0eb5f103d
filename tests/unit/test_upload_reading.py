"""A file the readers cannot cope with fails once with a clear code, instead of being retried for ever."""

from datetime import UTC, datetime

import pytest

from services.intake import uploads
from services.intake.files import FileProblem
from shared.contracts.common import Period

PERIOD = Period(type="bulanan", start="2026-10-01", end="2026-10-31")
CSV = b"nip;skp_id\n198503122010011002;skp-1\n"


def request() -> uploads.UploadRequest:
    document = uploads.new_upload("bungo-dinkes", CSV, "x.csv", "text/csv", PERIOD, False, datetime.now(UTC))
    return uploads.request_of(document)


def test_a_readable_file_gives_its_rows():
    sheet = uploads._read_reports(CSV, request())
    assert (sheet.items, sheet.skipped, sheet.errors) == ([], [2], [])  # nothing filled in: row 2 is skipped


def test_a_reader_failure_becomes_unreadable_file(monkeypatch):
    def broken(table, period):
        raise IndexError("a bug in a layout")

    monkeypatch.setattr(uploads, "reports_from_table", broken)
    with pytest.raises(FileProblem) as caught:
        uploads._read_reports(CSV, request())
    assert (caught.value.status, caught.value.code) == (422, "unreadable_file")
