"""Spreadsheets on the real stack: master data imported in any order, a 300-row report sheet with 3 bad rows,
a resend that creates nothing, a file that is not a spreadsheet, and a big file processed in the background."""

import csv
import io
import time

import pytest
from openpyxl import load_workbook

from tests.conftest import eventually

from .api import random_nip, register_agency, xlsx

pytestmark = pytest.mark.e2e

PERIOD = {"type": "bulanan", "start": "2026-10-01", "end": "2026-10-31"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(intake, agency, kind: str, content: bytes, name: str, media: str = XLSX, **params):
    files = {"file": (name, content, media)}
    return intake.post(f"/v1/uploads/{kind}", files=files, params=params, headers=agency.auth)


@pytest.fixture(scope="module")
def staffed(intake):
    """An agency of 300 employees and their SKP plans, imported from files as an IT officer would."""
    agency = register_agency(intake)
    units = "\ufeffunit_id;nama;induk\r\nseksi-imunisasi;Seksi Imunisasi;bidang-p2p\r\nbidang-p2p;Bidang P2P;\r\n;;\r\n"
    answer = upload(intake, agency, "unit-kerja", units.encode(), "unit.csv", "text/csv")
    assert answer.status_code == 200 and answer.json()["registered"] == 2, answer.text

    nips = [random_nip() for _ in range(300)]
    head = nips[-1]  # listed last, supervisor of everyone else: order must not matter
    people = [
        [nip, f"Pegawai {i}", "Analis", "PNS", "seksi-imunisasi", head if nip != head else None]
        for i, nip in enumerate(nips)
    ]
    answer = upload(
        intake,
        agency,
        "pegawai",
        xlsx(["nip", "nama", "jabatan", "jenis_asn", "unit_kerja", "atasan_nip"], people, "Pegawai"),
        "pegawai.xlsx",
    )
    assert answer.status_code == 200 and answer.json()["registered"] == 300, answer.text[:2000]

    rows = []
    for nip in nips:
        rows.append(
            [
                f"skp-{nip}",
                nip,
                2026,
                "imunisasi",
                "Cakupan imunisasi",
                "Utama",
                "kuantitas",
                "Persentase bayi diimunisasi",
                "naik",
                "95",
                "",
                "",
                "persen",
                "Kesehatan Masyarakat",
            ]
        )
        rows.append(
            [
                f"skp-{nip}",
                nip,
                2026,
                "penyuluhan",
                "Penyuluhan posyandu",
                "Tambahan",
                "kualitas",
                "Kualitas penyuluhan",
                "kualitatif",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    header = [
        "skp_id",
        "nip",
        "tahun",
        "row_id",
        "rhk",
        "jenis",
        "aspek",
        "indikator",
        "polaritas",
        "target",
        "target_bawah",
        "target_atas",
        "satuan",
        "kompetensi",
    ]
    answer = upload(intake, agency, "skp", xlsx(header, rows, "SKP"), "skp.xlsx")
    assert answer.status_code == 200 and answer.json()["registered"] == 300, answer.text[:2000]
    return agency, nips


def filled_template(intake, agency, bad: dict[int, tuple[str, str]]) -> bytes:
    template = intake.get("/v1/templates/laporan", params={**PERIOD, "format": "xlsx"}, headers=agency.auth)
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(template.content))
    sheet = book["Laporan"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, columns["realisasi_1"], "92,5")  # as Indonesian Excel writes decimals
        sheet.cell(row, columns["rating_atasan_2"], "Sesuai Ekspektasi")
    for row, (column, value) in bad.items():
        sheet.cell(row, columns[column], value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_300_row_sheet_with_3_bad_rows_accepts_297_and_names_the_3(intake, staffed):
    agency, _ = staffed
    bad = {10: ("realisasi_1", "9o"), 50: ("rating_atasan_2", "lumayan"), 200: ("realisasi_1", "-5")}
    content = filled_template(intake, agency, bad)
    started = time.monotonic()
    answer = upload(intake, agency, "laporan", content, "laporan.xlsx", **PERIOD)
    elapsed = time.monotonic() - started
    assert answer.status_code == 200, answer.text[:2000]
    summary = answer.json()
    assert (summary["accepted"], summary["rows_with_errors"]) == (297, 3), summary["errors"]
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [
        (10, "realisasi_1"),
        (50, "rating_atasan_2"),
        (200, "realisasi_1"),
    ]
    assert [e["code"] for e in summary["errors"]] == ["not_a_number", "unknown_rating", "greater_than_equal"]
    assert "'9o' bukan angka" in summary["errors"][0]["message"]
    print(f"\n300-row XLSX accepted in {elapsed:.2f} s")

    polled = intake.get(f"/v1/uploads/{summary['upload_id']}", headers=agency.auth).json()
    assert (polled["status"], polled["accepted"]) == ("done", 297)
    again = upload(intake, agency, "laporan", content, "laporan.xlsx", **PERIOD).json()
    assert (again["accepted"], again["duplicate"]) == (0, 297)


async def test_all_or_nothing_keeps_nothing_when_a_row_is_bad(intake, dbs, staffed):
    agency, _ = staffed
    before = await dbs["intake"].reports.count_documents({"agency_id": agency.agency_id})
    content = filled_template(intake, agency, {3: ("realisasi_1", "abc")})  # 299 good rows, for November
    answer = upload(
        intake,
        agency,
        "laporan",
        content,
        "laporan.xlsx",
        all_or_nothing="true",
        type="bulanan",
        start="2026-11-01",
        end="2026-11-30",
    ).json()
    assert answer["status"] == "refused" and answer["accepted"] == 0
    assert await dbs["intake"].reports.count_documents({"agency_id": agency.agency_id}) == before


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(intake, staffed):
    agency, _ = staffed
    answer = upload(intake, agency, "laporan", b"%PDF-1.7 not a sheet", "laporan.pdf", "application/pdf", **PERIOD)
    assert answer.status_code == 415 and answer.json()["error"]["code"] == "unsupported_file"


async def test_a_big_file_is_answered_at_once_and_processed_in_the_background(intake, staffed):
    agency, nips = staffed
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["nip", "skp_id", "row_id_1", "realisasi_1", "row_id_2", "rating_atasan_2", "feedback"])
    for nip in nips:  # long feedback makes the file bigger than what is processed inline
        writer.writerow([nip, f"skp-{nip}", "imunisasi", "97,5", "penyuluhan", "di atas", "Catatan " * 470])
    content = out.getvalue().encode()
    assert len(content) > 1024 * 1024
    answer = upload(
        intake,
        agency,
        "laporan",
        content,
        "desember.csv",
        "text/csv",
        type="bulanan",
        start="2026-12-01",
        end="2026-12-31",
    )
    assert answer.status_code == 202, answer.text[:500]
    upload_id = answer.json()["upload_id"]

    async def done():
        status = intake.get(f"/v1/uploads/{upload_id}", headers=agency.auth).json()
        return status if status["status"] == "done" else None

    summary = await eventually(done, timeout_s=120, what="the big upload processed")
    assert summary["accepted"] == 300 and summary["rows_with_errors"] == 0
