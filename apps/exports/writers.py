"""Row writers for exports, streaming to a binary file: each row is written as it comes, nothing is kept.

* CSV for Vietnamese Excel: UTF-8 with a byte-order mark (Excel reads it as UTF-8), `;` as the separator (the
  list separator of the Vietnamese regional settings, where `,` is the decimal mark), CRLF line ends.
* XLSX with typed cells: dates, times and date-times as real Excel values with a day-first format; numbers as
  numbers; everything else as text cells (explicitly typed, so a card number keeps its leading zero).
* Formulas are never run (OWASP "CSV injection"): XLSX text cells are typed as text, so `=HYPERLINK(...)` is shown
  as typed; in CSV, text that starts with = + - @ or a tab/CR is prefixed with an apostrophe, which Excel hides.
* HTML is never written: marked-safe markup from an admin column is reduced to its text.
"""

import codecs
import csv
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import strip_tags
from django.utils.safestring import SafeData
from django.utils.translation import gettext

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value):
    """A Python value as the type its cell will have: datetime (local, naive), date, time, number or text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, date | time | int | float | Decimal):
        return value
    if isinstance(value, SafeData):
        return strip_tags(str(value))
    return force_str(value)


def csv_text(value) -> str:
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")  # the Vietnamese decimal mark
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def phone_national(phone: str) -> str:
    """+84912345678 as officers dial it: 0912 345 678 (unchanged when it is not a Vietnamese mobile number)."""
    if phone.startswith("+84") and len(phone) == 12:
        national = "0" + phone[3:]
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return phone


class CsvWriter:
    """`title` (a list of values) is a first line above the header in XLSX only: CSV keeps the header first."""

    def __init__(self, stream, *, sheet_title: str = "", title: list | None = None):
        stream.write(codecs.BOM_UTF8)
        self._text = codecs.getwriter("utf-8")(stream)
        self._writer = csv.writer(self._text, delimiter=settings.EXPORTS_CSV_DELIMITER, lineterminator="\r\n")

    def header(self, headers: list[str]) -> None:
        self._writer.writerow([csv_text(_capitalised(h)) for h in headers])

    def row(self, values: list) -> None:
        self._writer.writerow([csv_text(v) for v in values])

    def close(self) -> None:
        self._text.flush()


class XlsxWriter:
    """openpyxl's write-only workbook: rows go to a temporary file as they come, and are zipped on close."""

    FORMATS = {datetime: "DD/MM/YYYY HH:MM", date: "DD/MM/YYYY", time: "HH:MM"}

    def __init__(self, stream, *, sheet_title: str = "", title: list | None = None):
        from openpyxl import Workbook

        self._stream = stream
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(title=_sheet_title(sheet_title))
        # Set before the first row: a write-only sheet writes its view (the frozen header) at the top of the file.
        self._sheet.freeze_panes = "A3" if title else "A2"
        if title:
            self.row(title)

    def header(self, headers: list[str]) -> None:
        from openpyxl.styles import Font

        cells = [self._text_cell(_capitalised(h)) for h in headers]
        for cell in cells:
            cell.font = Font(bold=True)
        self._sheet.append(cells)

    def _text_cell(self, text: str):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        cell = WriteOnlyCell(self._sheet)
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
        return cell

    def row(self, values: list) -> None:
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for raw in values:
            value = cell_value(raw)
            if value is None:
                cells.append(None)
            elif isinstance(value, str):
                cells.append(self._text_cell(value))
            else:
                cell = WriteOnlyCell(self._sheet, value=value)
                for kind, number_format in self.FORMATS.items():
                    if isinstance(value, kind):
                        cell.number_format = number_format
                        break
                cells.append(cell)
        self._sheet.append(cells)

    def close(self) -> None:
        self._workbook.save(self._stream)


def _capitalised(header) -> str:
    text = str(header)
    return text[:1].upper() + text[1:]


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31] or "Export"


WRITERS = {"csv": CsvWriter, "xlsx": XlsxWriter}
