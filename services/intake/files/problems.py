"""What reading an uploaded spreadsheet can produce: a file-level problem, cell problems, and good rows.

A file-level problem (`FileProblem`) stops the whole upload: the lead turns it into an HTTP error with
`status`. Cell problems (`RowError`) are collected per row so an operator can fix every bad cell in one
pass while the good rows are still kept. Codes are stable for programs; messages are Bahasa Indonesia
because agency operators read them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.validation_messages import describe

Model = TypeVar("Model", bound=BaseModel)


class FileProblem(Exception):
    """The file as a whole cannot be used (wrong type, too big, a required column missing)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def __repr__(self) -> str:
        return f"FileProblem({self.status}, {self.code!r}, {self.message!r})"


class ValueProblem(ValueError):
    """One cell's text cannot be read as the value its column needs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True, slots=True)
class RowError:
    """`row` is the row number the operator sees in Excel (header is row 1); `column` the header key."""

    row: int
    column: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class SheetItem:
    """A body ready for the contract's `model_validate`, and where it came from.

    `rows` lists the sheet row of each element when one body spans several rows (an SKP plan: the
    sheet row of `rows[i]`); for one-row bodies it is just `(row,)`.
    """

    row: int
    body: dict[str, Any]
    rows: tuple[int, ...] = ()


@dataclass(slots=True)
class SheetResult:
    """Good bodies and cell errors of one file; a row with any error produces no item.

    `skipped` lists rows that were left as the template wrote them (nothing to submit), so the
    operator can be told which employees were not reported without treating them as errors.
    """

    items: list[SheetItem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def validated(
    sheet: SheetResult, model: type[Model], cell: Callable[[SheetItem, str], tuple[int, str]]
) -> tuple[list[tuple[SheetItem, Model]], list[RowError]]:
    """Each item checked against its contract; one that fails becomes cell errors, placed by `cell` at the row
    and column the operator sees for the failing field."""
    valid, errors = [], list(sheet.errors)
    for item in sheet.items:
        try:
            valid.append((item, model.model_validate(item.body)))
        except ValidationError as exc:
            for e in exc.errors():
                detail = describe(e)
                row, column = cell(item, detail["field"])
                errors.append(RowError(row, column, detail["code"], detail["message"]))
    return valid, errors
