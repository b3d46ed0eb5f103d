"""Spreadsheet uploads: CSV/XLSX as office PCs write them, row/column errors, templates that read back."""

import contextlib
import csv
import io
import random
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from devtools.devstack.demo_data import AGENCIES, PERIOD
from services.intake.contracts_in import EmployeeRegistration, SkpSubmission, UnitKerjaRegistration
from services.intake.files import (
    FileProblem,
    SheetItem,
    SheetRow,
    Table,
    TemplateEmployee,
    ValueProblem,
    column_for_field,
    employee_template,
    employees_from_table,
    master_column_for_field,
    parse_bool_id,
    parse_date,
    parse_number,
    parse_rating,
    read_table,
    report_template,
    reports_from_table,
    skp_cell_for_field,
    skp_plans_from_table,
    skp_template,
    unit_template,
    units_from_table,
)
from services.intake.files.reports_sheet import report_columns
from services.intake.files.values import quote
from shared.contracts.common import Period, Polaritas, Rating, SkpRow
from shared.contracts.reports import ReportSubmission

PERIOD_OBJ = Period.model_validate(PERIOD)
DINKES = AGENCIES[0]
SKP_ROWS = [SkpRow.model_validate(row) for row in DINKES["rows"]]  # imunisasi, surveilans, penyuluhan (kualitatif)
NIP = "198503122010011002"
MB = 1 << 20


def read(data: bytes, *, max_rows: int = 10_000, max_bytes: int = 10 * MB, filename: str | None = None) -> Table:
    return read_table(data, filename=filename, content_type=None, max_bytes=max_bytes, max_rows=max_rows)


def xlsx(rows: list[list], *, title: str = "Laporan", setup=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if setup:
        setup(workbook, sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def nip(i: int) -> str:
    """A structurally valid NIP per i: born 12 March 1985, TMT 2010-01, male, sequence i."""
    return f"198503122010011{i:03d}"


def report_row(i: int, **cells) -> dict:
    row = {"nip": nip(i), "nama": f"Pegawai {i}", "skp_id": f"skp-{i}"}
    row |= {"row_id_1": "imunisasi", "indikator_1": "Persentase bayi diimunisasi", "target_1": 95}
    row |= {"row_id_2": "surveilans", "row_id_3": "penyuluhan", "realisasi_1": 92.5, "realisasi_2": 3}
    row |= {"rating_atasan_3": "Sesuai Ekspektasi", "akuntabel": "di atas"}
    return row | cells


def as_rows(columns: list[str], dicts: list[dict]) -> list[list]:
    return [columns, *([row.get(column) for column in columns] for row in dicts)]


# --- CSV as Excel and other tools write it ------------------------------------------------------------------


def test_indonesian_excel_csv_with_bom_semicolons_and_decimal_commas():
    text = (
        "nip;nama;skp_id;row_id_1;target_1;realisasi_1;row_id_2;realisasi_2;rating_atasan_2;akuntabel\r\n"
        f'{NIP};"Fauzi; Ahmad";skp-1;imunisasi;95;92,5;surveilans;1.234,5;;Sesuai Ekspektasi\r\n'
    )
    table = read(b"\xef\xbb\xbf" + text.encode())
    assert table.columns[0] == "nip"  # the BOM is not part of the first header
    assert table.rows[0].values["nama"] == "Fauzi; Ahmad"
    result = reports_from_table(table, PERIOD_OBJ)
    assert result.errors == []
    body = result.items[0].body
    assert body["realisasi"] == [
        {"row_id": "imunisasi", "realisasi": 92.5},
        {"row_id": "surveilans", "realisasi": 1234.5},
    ]
    assert body["perilaku"] == {"akuntabel": "sesuai_ekspektasi"}
    assert ReportSubmission.model_validate(body).period == PERIOD_OBJ


def test_windows_1252_csv_keeps_dashes_and_accents():
    text = f"NIP,Nama,Jabatan\r\n{NIP},Pejabat Teladan – Rusdi Ñ,Kepala Seksi Pelayanan “Prima”\r\n"
    table = read(text.encode("cp1252"))
    result = employees_from_table(table)
    assert result.errors == []
    assert result.items[0].body["nama"] == "Pejabat Teladan – Rusdi Ñ"
    assert result.items[0].body["jabatan"] == "Kepala Seksi Pelayanan “Prima”"


def test_tab_separated_utf16_as_excel_unicode_text():
    text = f"nip\tnama\tjabatan\r\n{NIP}\tSiti Ñ\tGuru\r\n"
    table = read(text.encode("utf-16"))
    assert table.rows[0].values == {"nip": NIP, "nama": "Siti Ñ", "jabatan": "Guru"}


def test_blank_rows_are_skipped_but_row_numbers_stay_true_to_the_file():
    text = "\r\nnip;nama;jabatan\r\n;;\r\n" + f"{NIP};A;B\r\n\r\n" + '"199107252019032005";"C\r\nD";E\r\n;;\r\n\r\n\r\n'
    table = read(text.encode())
    assert table.header_row == 2
    assert [row.number for row in table.rows] == [4, 6]  # the quoted two-line cell is one row, as in Excel
    assert table.rows[1].values["nama"] == "C\r\nD"


def test_excel_sep_hint_and_formula_wrapped_identifiers():
    text = f'sep=,\r\nnip,nama,jabatan\r\n="{NIP}",A,B\r\n'
    table = read(text.encode())
    assert table.rows[0].number == 2  # Excel hides the sep= line, so the header is row 1
    assert table.rows[0].values["nip"] == NIP


# --- XLSX ---------------------------------------------------------------------------------------------------


def _with_cached_value(data: bytes, cell: str, value: str) -> bytes:
    """openpyxl cannot compute formulas: give one formula cell the cached value Excel would have saved."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                pattern = rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)<v\s*/>'.encode()
                content, count = re.subn(pattern, rb"\1\2<v>" + value.encode() + b"</v>", content)
                assert count == 1
            target.writestr(info, content)
    return out.getvalue()


def test_formula_cells_read_as_their_cached_value_or_empty_never_as_formula_text():
    data = xlsx([["nip", "realisasi_1", "realisasi_2"], [NIP, "=90+2.5", "=1/0*A2"]])
    table = read(_with_cached_value(data, "B2", "92.5"))
    assert table.rows[0].values == {"nip": NIP, "realisasi_1": "92.5", "realisasi_2": None}


def test_xlsx_values_become_plain_text():
    def setup(_, sheet):
        sheet["E2"].number_format = "0.0%"

    row = [NIP, 95.0, 0.1 + 0.2, datetime(2026, 10, 1), 0.925, True, date(2026, 12, 31), "  spasi  ", 1e20, 120]
    table = read(xlsx([["nip", "a", "b", "c", "d", "e", "f", "g", "h", "i"], row], setup=setup))
    assert table.source == "xlsx"
    assert table.rows[0].values == {
        **{"nip": NIP, "a": "95", "b": "0.3", "c": "2026-10-01", "d": "92.5", "e": "TRUE", "f": "2026-12-31"},
        **{"g": "spasi", "h": "100000000000000000000", "i": "120"},
    }


def test_nip_typed_as_a_number_in_excel_is_refused():
    table = read(xlsx([["nip", "nama", "jabatan"], [1.98503122010011e17, "A", "B"]]))
    assert table.rows[0].values["nip"] == "198503122010011000"
    result = employees_from_table(table)
    assert [(e.row, e.column, e.code) for e in result.errors] == [(2, "nip", "nip_as_number")]


def test_merged_header_cells_name_every_column():
    def merge(_, sheet):
        sheet.merge_cells("B1:D1")

    table = read(xlsx([["nip", "Target Kinerja", None, None, "nama"], [NIP, 1, 2, 3, "A"]], setup=merge))
    assert table.columns == ["nip", "target_kinerja", "target_kinerja_2", "target_kinerja_3", "nama"]
    assert table.rows[0].values["target_kinerja_3"] == "3"


def test_duplicate_header_is_refused():
    with pytest.raises(FileProblem) as caught:
        read(xlsx([["nip", "Nama", "NAMA "], [NIP, "a", "b"]]))
    assert (caught.value.status, caught.value.code) == (422, "duplicate_column")
    assert "nama" in caught.value.message


def test_instructions_sheet_and_hidden_sheets_are_not_read():
    def setup(workbook, sheet):
        workbook.move_sheet(workbook.create_sheet("Petunjuk"), offset=-1)
        hidden = workbook.create_sheet("lookup", 0)
        hidden.sheet_state = "hidden"
        hidden.append(["x"])

    table = read(xlsx([["nip"], [NIP]], title="Data", setup=setup))
    assert table.sheet == "Data"
    assert table.rows[0].values == {"nip": NIP}


def test_three_hundred_row_report_file_keeps_good_rows_and_names_bad_cells():
    columns = report_columns(3)
    rows = [report_row(i) for i in range(1, 301)]
    rows[48]["realisasi_1"] = "9o"  # sheet row 50
    rows[118]["rating_atasan_3"] = "baik sekali"  # sheet row 120
    rows[248]["nip"] = None  # sheet row 250
    result = reports_from_table(read(xlsx(as_rows(columns, rows))), PERIOD_OBJ)
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (50, "realisasi_1", "not_a_number"),
        (120, "rating_atasan_3", "unknown_rating"),
        (250, "nip", "missing_value"),
    ]
    assert result.errors[0].message == "'9o' bukan angka"
    assert len(result.items) == 297
    assert {item.row for item in result.items}.isdisjoint({50, 120, 250})
    for item in result.items:
        ReportSubmission.model_validate(item.body)


# --- What is not a spreadsheet, and limits --------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), id="png"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", id="pdf"),
        pytest.param(random.Random(7).randbytes(4096), id="random-binary"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), id="xls-97"),
        pytest.param(b"<html><body><table><tr><td>nip</td></tr></table></body></html>", id="html-as-xls"),
    ],
)
def test_not_a_spreadsheet_is_415(data):
    with pytest.raises(FileProblem) as caught:
        read(data, filename="laporan.xlsx")
    assert (caught.value.status, caught.value.code) == (415, "unsupported_file")
    assert "'laporan.xlsx'" in caught.value.message


def test_zip_that_is_not_a_workbook_is_415_and_a_broken_one_422():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as target:
        target.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(FileProblem) as caught:
        read(archive.getvalue())
    assert caught.value.status == 415
    data = xlsx([["nip"], [NIP]])
    with pytest.raises(FileProblem) as caught:
        read(data[: len(data) // 2])
    assert (caught.value.status, caught.value.code) == (422, "unreadable_file")


def test_empty_and_too_large_files():
    with pytest.raises(FileProblem) as caught:
        read(b"")
    assert (caught.value.status, caught.value.code) == (422, "empty_file")
    with pytest.raises(FileProblem) as caught:
        read(b"\r\n;;\r\n")
    assert caught.value.code == "empty_file"
    with pytest.raises(FileProblem) as caught:
        read(b"nip\n" + b"1\n" * 3 * MB, max_bytes=5 * MB // 2)
    assert (caught.value.status, caught.value.code) == (413, "file_too_large")
    assert "2,5 MB" in caught.value.message


def test_more_rows_than_allowed_is_413():
    data = ("nip;nama\r\n" + "".join(f"{NIP};Pegawai {i}\r\n" for i in range(10_001))).encode()
    with pytest.raises(FileProblem) as caught:
        read(data, max_rows=10_000)
    assert (caught.value.status, caught.value.code) == (413, "too_many_rows")
    assert "10.000" in caught.value.message
    assert len(read(data, max_rows=10_001).rows) == 10_001


# --- Values --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("92,5", 92.5),
        ("92.5", 92.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        (" 95 ", 95.0),
        ("-3", -3.0),
        ("1.234.567", 1234567.0),
        ("92,5%", 92.5),
        ("0", 0.0),
    ],
)
def test_parse_number_accepts_office_spellings(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "not_a_number"),
        ("abc", "not_a_number"),
        ("nan", "not_a_number"),
        ("inf", "not_a_number"),
        ("1e999", "not_a_number"),
        ("9o", "not_a_number"),
        ("1.23.4", "not_a_number"),
        ("#DIV/0!", "formula_error"),
        ("9" * 400, "number_too_large"),
    ],
)
def test_parse_number_refuses_with_a_code(text, code):
    with pytest.raises(ValueProblem) as caught:
        parse_number(text)
    assert caught.value.code == code


def test_messages_quote_values_shortened():
    with pytest.raises(ValueProblem) as caught:
        parse_number("abc")
    assert caught.value.message == "'abc' bukan angka"
    assert quote("x" * 100) == "'" + "x" * 39 + "…'"


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("di_atas_ekspektasi", Rating.DI_ATAS),
        ("Di Atas Ekspektasi", Rating.DI_ATAS),
        ("diatas", Rating.DI_ATAS),
        ("ATAS", Rating.DI_ATAS),
        ("sesuai", Rating.SESUAI),
        ("Sesuai Ekspektasi", Rating.SESUAI),
        ("di bawah", Rating.DI_BAWAH),
        ("bawah", Rating.DI_BAWAH),
        (" Di-Bawah_Ekspektasi ", Rating.DI_BAWAH),
    ],
)
def test_parse_rating(text, rating):
    assert parse_rating(text) is rating


def test_parse_rating_refuses_other_words():
    with pytest.raises(ValueProblem) as caught:
        parse_rating("baik")
    assert caught.value.code == "unknown_rating"
    assert "Sesuai Ekspektasi" in caught.value.message


def test_parse_bool_and_date():
    assert [parse_bool_id(t) for t in ("ya", "Y", "TRUE", "1", "tidak", "t", "false", "0")] == [True] * 4 + [False] * 4
    assert parse_date("2026-10-01") == parse_date("01/10/2026") == parse_date("1 Oktober 2026") == date(2026, 10, 1)
    for bad in ("31/02/2026", "kemarin", "10/2026"):
        with pytest.raises(ValueProblem):
            parse_date(bad)
    with pytest.raises(ValueProblem):
        parse_bool_id("mungkin")


# --- Report layout details -----------------------------------------------------------------------------------


def test_report_cells_map_to_the_submission():
    columns = [*report_columns(2), "catatan_lain"]
    row = report_row(1, report_id="lap-1", koreksi="Ya", realisasi_2=None, rating_atasan_2="atas", catatan_lain="x")
    row |= {"evidence": "https://a.example/1, https://a.example/2\nhttps://a.example/3", "feedback": "Bagus"}
    row |= {"nip": "19850312 201001 1 001", "rating_hasil_kerja_atasan": "sesuai", "target_1": "tidak dibaca"}
    result = reports_from_table(read(xlsx(as_rows(columns, [row]))), PERIOD_OBJ)
    body = ReportSubmission.model_validate(result.items[0].body)
    assert (body.nip, body.report_id, body.correction) == (nip(1), "lap-1", True)
    assert [(r.row_id, r.realisasi, r.rating_atasan) for r in body.realisasi] == [
        ("imunisasi", 92.5, None),
        ("surveilans", None, Rating.DI_ATAS),
    ]
    assert len(body.evidence) == 3 and body.feedback == "Bagus"
    assert body.rating_hasil_kerja_atasan is Rating.SESUAI


def test_untouched_rows_are_skipped_and_repeated_reports_flagged():
    rows = [
        {"nip": nip(1), "skp_id": "skp-1", "row_id_1": "imunisasi"},
        {"nip": nip(2), "skp_id": "skp-2", "row_id_1": "imunisasi", "realisasi_1": "90"},
        {"nip": nip(2), "skp_id": "skp-2", "row_id_1": "imunisasi", "realisasi_1": "91"},
        {"nip": nip(3), "skp_id": "skp-3", "realisasi_1": "91"},
    ]
    result = reports_from_table(read(xlsx(as_rows(report_columns(1), rows))), PERIOD_OBJ)
    assert result.skipped == [2]
    assert [item.row for item in result.items] == [3]
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (4, "nip", "duplicate_report"),
        (5, "row_id_1", "missing_value"),
    ]


def test_missing_required_columns_are_named():
    with pytest.raises(FileProblem) as caught:
        reports_from_table(read(b"NIP Pegawai;nama\r\n1;2\r\n"), PERIOD_OBJ)
    assert (caught.value.status, caught.value.code) == (422, "missing_column")
    assert "nip, skp_id" in caught.value.message
    with pytest.raises(FileProblem) as caught:
        reports_from_table(read(b"nip;skp_id;realisasi_2\r\n1;2;3\r\n"), PERIOD_OBJ)
    assert "row_id_2" in caught.value.message


@pytest.mark.parametrize(
    ("field", "column"),
    [
        ("realisasi[2].realisasi", "realisasi_3"),
        ("realisasi[0].row_id", "row_id_1"),
        ("realisasi.1.rating_atasan", "rating_atasan_2"),
        ("realisasi[1]", "row_id_2"),
        ("realisasi", "row_id_1"),
        ("perilaku.akuntabel", "akuntabel"),
        ("nip", "nip"),
        ("period", "(periode)"),
        ("period.end", "(periode)"),
        ("correction", "koreksi"),
        ("evidence[3]", "evidence"),
        ("body.skp_id", "skp_id"),
        ("rating_hasil_kerja_atasan", "rating_hasil_kerja_atasan"),
    ],
)
def test_column_for_field(field, column):
    assert column_for_field(field) == column


def test_column_for_field_follows_the_blocks_actually_used():
    rows = [report_row(1, row_id_1=None, realisasi_1=None)]  # block 1 empty: realisasi[0] is block 2
    result = reports_from_table(read(xlsx(as_rows(report_columns(3), rows))), PERIOD_OBJ)
    item = result.items[0]
    assert column_for_field("realisasi[0].realisasi", item) == "realisasi_2"
    assert column_for_field("realisasi[1].rating_atasan", item) == "rating_atasan_3"


# --- Templates read back --------------------------------------------------------------------------------------


RANGED = SkpRow(
    row_id="ipm",
    rhk="Kontribusi pada target IPM pendidikan",
    jenis="utama",
    aspek="kualitas",
    indikator="Angka partisipasi sekolah",
    polaritas="higher_is_better",
    target_range={"lower": 85, "upper": 90},
    satuan="persen",
)


def _employees() -> list[TemplateEmployee]:
    staff = [
        TemplateEmployee(n, nama, jabatan, "bidang-kesmas", f"skp-{i}", SKP_ROWS)
        for i, (n, nama, jabatan, _) in enumerate(DINKES["employees"])
    ]
    staff.append(TemplateEmployee(nip(9), "Siti", "Guru", None, "skp-9", [RANGED]))
    return staff


def _filled(header: list[str], values: list) -> list:
    """What an operator types: a number for quantitative rows, a rating for qualitative ones (per target_k)."""
    row = dict(zip(header, values, strict=False))
    for k in (1, 2, 3):
        if row.get(f"target_{k}") == "kualitatif":
            row[f"rating_atasan_{k}"] = "Di Atas Ekspektasi"
        elif row.get(f"row_id_{k}"):
            row[f"realisasi_{k}"] = "92,5" if k == 1 else 3
    row["kolaboratif"] = "Sesuai Ekspektasi"
    return [row.get(name) for name in header]


def test_report_template_xlsx_round_trip_and_looks():
    data = report_template(agency_nama=DINKES["nama"], period=PERIOD_OBJ, employees=_employees(), fmt="xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Laporan"]
    header = [cell.value for cell in sheet[1]]
    assert header == report_columns(3)
    assert sheet["A1"].font.b and sheet.freeze_panes == "C2"
    assert sheet.cell(2, header.index("indikator_1") + 1).fill.fgColor.rgb == "FFD9D9D9"
    assert sheet.cell(2, header.index("realisasi_1") + 1).fill.fill_type is None
    assert sheet["A2"].number_format == "@" and sheet["A2"].value == DINKES["employees"][0][0]
    assert sheet.cell(5, header.index("target_1") + 1).value == "85-90"
    qualitative = next(k for k, row in enumerate(SKP_ROWS, 1) if row.polaritas is Polaritas.QUALITATIVE)
    assert sheet.cell(2, header.index(f"target_{qualitative}") + 1).value == "kualitatif"
    assert any("Di Atas Ekspektasi" in v.formula1 for v in sheet.data_validations.dataValidation)
    instructions = _instructions(data)
    assert all(word in instructions for word in ("Di Bawah Ekspektasi", "diatas", "92,5", "1.234,5"))
    assert DINKES["nama"] in instructions and "1 Oktober 2026 s.d. 31 Oktober 2026" in instructions
    for row in sheet.iter_rows(min_row=2):
        for cell, value in zip(row, _filled(header, [c.value for c in row]), strict=True):
            cell.value = value
    out = io.BytesIO()
    workbook.save(out)
    result = reports_from_table(read(out.getvalue()), PERIOD_OBJ)
    assert result.errors == [] and len(result.items) == 4
    bodies = [ReportSubmission.model_validate(item.body) for item in result.items]
    for entry, planned in zip(bodies[0].realisasi, SKP_ROWS, strict=True):
        if planned.polaritas is Polaritas.QUALITATIVE:
            assert (entry.realisasi, entry.rating_atasan) == (None, Rating.DI_ATAS)
        else:
            assert entry.realisasi == (92.5 if entry is bodies[0].realisasi[0] else 3)
    assert [r.row_id for r in bodies[3].realisasi] == ["ipm"]


def test_report_template_csv_round_trip():
    data = report_template(agency_nama=DINKES["nama"], period=PERIOD_OBJ, employees=_employees(), fmt="csv")
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert records[1][0] == f'="{DINKES["employees"][0][0]}"'  # stays text when Excel opens the file
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(records[0])
    writer.writerows(_filled(records[0], [v or None for v in record]) for record in records[1:])
    result = reports_from_table(read(out.getvalue().encode("cp1252")), PERIOD_OBJ)
    assert result.errors == [] and len(result.items) == 4
    assert ReportSubmission.model_validate(result.items[0].body).nip == DINKES["employees"][0][0]


def _examples(template: bytes) -> list[list]:
    """The example rows of a template's Petunjuk sheet, header first."""
    data_sheet, instructions = openpyxl.load_workbook(io.BytesIO(template)).worksheets
    header = [cell.value for cell in data_sheet[1]]
    rows = [list(row) for row in instructions.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if list(row[: len(header)]) == header)
    examples = []
    for row in rows[start + 1 :]:
        if not any(row[: len(header)]) or len([c for c in row if c]) < 2:
            break
        examples.append([value or None for value in row[: len(header)]])
    return [header, *examples]


def _instructions(template: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(template))["Petunjuk"]
    return "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)


def _fill_template(template: bytes, rows: list[list]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    for row in rows:
        workbook.worksheets[0].append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_with(template: bytes, rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return template + out.getvalue().encode()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_employee_template_round_trip(fmt):
    header, *examples = _examples(employee_template("xlsx"))
    template = employee_template(fmt)
    assert read(template).columns == header and read(template).rows == []
    filled = _fill_template(template, examples) if fmt == "xlsx" else _csv_with(template, examples)
    result = employees_from_table(read(filled))
    assert result.errors == [] and len(result.items) == 3
    employees = [EmployeeRegistration.model_validate(item.body) for item in result.items]
    assert employees[1].nip == NIP and employees[2].nonaktif_sejak == date(2026, 12, 31)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_skp_template_round_trip(fmt):
    _, *examples = _examples(skp_template("xlsx"))
    instructions = _instructions(skp_template("xlsx"))
    assert all(word in instructions for word in ("Naik", "Turun", "Kualitatif", "higher_is_better", "Utama"))
    template = skp_template(fmt)
    filled = _fill_template(template, examples) if fmt == "xlsx" else _csv_with(template, examples)
    result = skp_plans_from_table(read(filled))
    assert result.errors == []
    plans = [SkpSubmission.model_validate(item.body) for item in result.items]
    assert [len(plan.rows) for plan in plans] == [3, 1] and [item.rows for item in result.items] == [(2, 3, 4), (5,)]
    assert [row.polaritas for row in plans[0].rows] == list(Polaritas)
    assert plans[1].rows[0].target_range.lower == 85


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_unit_template_round_trip(fmt):
    _, *examples = _examples(unit_template("xlsx"))
    template = unit_template(fmt)
    filled = _fill_template(template, examples) if fmt == "xlsx" else _csv_with(template, examples)
    result = units_from_table(read(filled))
    assert [UnitKerjaRegistration.model_validate(item.body).unit_id for item in result.items] == [
        "bidang-kesmas",
        "pkm-muara-bungo",
    ]


# --- Master data rules --------------------------------------------------------------------------------------


def test_employees_aliases_dates_and_duplicates():
    text = (
        "nip;nama;jabatan;jenis_asn;atasan_nip;nonaktif_sejak\r\n"
        f"{NIP};A;B;P3K;'197602142000032001;31/12/2026\r\n"
        f"{NIP};A;B;;;\r\n"
        f"{nip(5)};;B;honorer;;besok\r\n"
    )
    result = employees_from_table(read(text.encode()))
    assert result.items[0].body == {
        **{"nip": NIP, "nama": "A", "jabatan": "B", "jenis_asn": "pppk", "atasan_nip": "197602142000032001"},
        "nonaktif_sejak": "2026-12-31",
    }
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "nip", "duplicate_nip"),
        (4, "nama", "missing_value"),
        (4, "jenis_asn", "unknown_choice"),
        (4, "nonaktif_sejak", "not_a_date"),
    ]
    assert master_column_for_field("nonaktif_sejak") == "nonaktif_sejak"


def _skp_csv(rows: list[str]) -> bytes:
    header = "skp_id;nip;tahun;row_id;rhk;jenis;aspek;indikator;polaritas;target;target_bawah;target_atas;kompetensi"
    return "\r\n".join([header, *rows]).encode()


def test_skp_plan_with_an_inconsistent_row_is_dropped_with_the_row_named():
    result = skp_plans_from_table(
        read(
            _skp_csv(
                [
                    f'skp-1;{NIP};2026;r1;R;Utama;Kuantitas;I;naik;95;;;"Kesehatan Masyarakat; analisis_data"',
                    f"skp-2;{nip(7)};2026;r1;R;Tambahan;Waktu;I;turun;3;;;",
                    f"skp-1;{nip(7)};2026;r2;R;Utama;Kualitas;I;kualitatif;;;;",
                    "skp-2;;;r2;R;Utama;Kuantitas;I;naik;;85;;",
                    "skp-3;;2026;r1;R;Utama;Kuantitas;I;naik;1;;;",
                ]
            )
        )
    )
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (2, "skp_id", "plan_dropped"),
        (3, "skp_id", "plan_dropped"),
        (4, "nip", "inconsistent_plan"),
        (5, "target_atas", "missing_value"),
        (6, "nip", "missing_value"),
    ]
    assert result.items == []


def test_skp_rows_become_contract_rows_with_tags():
    result = skp_plans_from_table(
        read(_skp_csv([f'skp-1;{NIP};2026;r1;R;utama;KUANTITAS;I;higher_is_better;95;;;"Kesehatan Masyarakat;Data"']))
    )
    plan = SkpSubmission.model_validate(result.items[0].body)
    assert plan.rows[0].kompetensi == ["kesehatan-masyarakat", "data"]
    assert skp_cell_for_field(result.items[0], "rows[0].target_range.upper") == (2, "target_atas")
    assert skp_cell_for_field(result.items[0], "rows.0") == (2, "target")
    assert skp_cell_for_field(result.items[0], "tahun") == (2, "tahun")


# --- Properties -----------------------------------------------------------------------------------------------


@given(st.text(max_size=30) | st.text(alphabet="0123456789.,-+% e", max_size=15))
def test_parse_number_only_raises_value_problem_and_returns_finite(text):
    try:
        value = parse_number(text)
    except ValueProblem:
        return
    assert value == value and abs(value) != float("inf")


_SMALL_XLSX = xlsx([["nip", "nama"], [NIP, "A"], [None, 92.5]])


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=600),
        st.binary(max_size=300).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=300).map(lambda tail: b"\xef\xbb\xbf" + tail),
        st.lists(st.tuples(st.integers(0, len(_SMALL_XLSX) - 1), st.integers(0, 255)), max_size=4).map(
            lambda edits: bytes(_mutate(_SMALL_XLSX, edits))
        ),
        st.integers(1, len(_SMALL_XLSX)).map(lambda n: _SMALL_XLSX[:n]),
    )
)
def test_read_table_raises_only_file_problems(data):
    try:
        table = read(data, max_rows=50)
    except FileProblem as problem:
        assert problem.status in (413, 415, 422)
        return
    assert isinstance(table, Table)
    assert all(set(row.values) == set(table.columns) for row in table.rows)


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytearray:
    out = bytearray(data)
    for position, value in edits:
        out[position] = value
    return out


_NAMES = [*report_columns(2), "nama", "jabatan", "unit_kerja", "tahun", "row_id", "rhk", "jenis", "aspek"]
_NAMES += ["indikator", "polaritas", "target", "target_bawah", "target_atas", "kompetensi", "realisasi_3", "x"]
_CELLS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from([NIP, "9o", "92,5", "sesuai", "atas", "ya", "2026", "naik", "Utama", "kuantitas", "1e5"]),
)


@st.composite
def tables(draw) -> Table:
    columns = draw(st.lists(st.sampled_from(_NAMES) | st.text(max_size=8), unique=True, max_size=14))
    count = draw(st.integers(0, 6))
    rows = [SheetRow(n, {c: draw(_CELLS) for c in columns}, frozenset()) for n in range(2, 2 + count)]
    return Table(columns, rows)


@settings(max_examples=200, deadline=None)
@given(tables(), st.sampled_from(["reports", "employees", "skp"]))
def test_any_table_gives_items_errors_or_a_file_problem(table, layout):
    contract, read_layout = {
        "reports": (ReportSubmission, lambda t: reports_from_table(t, PERIOD_OBJ)),
        "employees": (EmployeeRegistration, employees_from_table),
        "skp": (SkpSubmission, skp_plans_from_table),
    }[layout]
    try:
        result = read_layout(table)
    except FileProblem as problem:
        assert problem.code == "missing_column"
        return
    numbers = {row.number for row in table.rows}
    assert all(error.row in numbers and error.column in table.columns for error in result.errors)
    assert all(isinstance(item, SheetItem) and item.row in numbers for item in result.items)
    assert {item.row for item in result.items}.isdisjoint(error.row for error in result.errors)
    if layout != "skp":  # a plan spans rows; reports and employees account for every row once
        assert {i.row for i in result.items} | {e.row for e in result.errors} | set(result.skipped) == numbers
    for item in result.items:
        with contextlib.suppress(ValidationError):
            contract.model_validate(item.body)
