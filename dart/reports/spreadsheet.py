"""CSV that is safe to open in a spreadsheet: every export of DART writes through here.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by Excel,
LibreOffice and Google Sheets as a formula (CSV injection: a rule label
``=HYPERLINK("http://...", "click")`` would become a live link). Such cells get a leading
``'``, which the spreadsheet shows as text; numbers are written as numbers.
See https://owasp.org/www-community/attacks/CSV_Injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value``, with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]],
             preamble: Iterable[str] = ()) -> str:
    """The header and rows as CSV text, every cell (the header's too) made safe; each
    ``preamble`` line (e.g. ``# list date ...``) first, as a row of one cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in preamble:
        writer.writerow([safe_cell(line)])
    writer.writerow([safe_cell(c) for c in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return out.getvalue()
