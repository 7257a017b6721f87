"""One exception tree for bad criteria: every error knows its line, column and source line.

Errors are data (``code``, ``line``, ``col``, ``message``); ``str(err)`` renders them the
way docs/criteria-language.md shows, with the line and a caret, so the CLI, API and
dashboard print the same.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CriteriaError(Exception):
    """A problem in criteria text at ``line``:``col`` (1-based).

    ``code`` is stable and tested; ``message`` is for people. The codes:

    - ``syntax``: text the grammar cannot read (says what was expected after which token)
    - ``bad-date``: an impossible date (``2026-02-30``)
    - ``out-of-range``: an index date before 1900, a window or registration over 1,000
      years, an age over 1,000 (dates no engine holds)
    - ``empty-range``: ``between A and B`` with A > B (values, ages, IMD, window dates), or
      ``at least N of (...)`` with N < 1 or more than the conditions listed
    - ``unknown-group``: an ethnic group, nation or region not in the vocabulary
    - ``duplicate-statement``: a second ``study``, ``index date`` or ``population``
    - ``duplicate-name``: two ``codelist``/``define`` statements with one name
    - ``undefined-define``: a define used above the statement that defines it
    - ``self-reference``: a define that refers to itself
    - ``unknown-name``: a code set in neither the file nor the catalogue, or a bare name
      that is not a define (``check``)
    - ``value-on-dmd``: ``latest``/``earliest``/``min``/``max``/``mean`` on a dm+d set
    - ``unit-mismatch``: a unit that is not the code set's and has no known conversion
    - ``system-mismatch``: ``latest code of A in B`` with A and B from different systems
    - ``anchored-window``: a window relative to another record on an atom that takes none
      (``first``, ``invited``, ``enrolled``)
    - ``quantity-on-snomed``: ``total quantity of`` a SNOMED CT (observation) code set
    - ``unknown-practice``: an ODS code in ``practice in (...)`` that the store has no
      practice for (raised where a store is opened)
    - ``too-deep``: conditions nested beyond what the parser can follow
    - ``too-large``: a file whose compiled query would exceed a size limit (rules,
      conditions with defines written out, nesting, code sets, codes, ``at least`` items;
      ``criteria_grammar.limits``)
    """

    message: str
    line: int
    col: int
    code: str = "syntax"
    source_line: str = ""
    filename: str = "<criteria>"
    suggestion: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        caret = " " * max(self.col - 1, 0) + "^"
        head = f"{self.filename}:{self.line}:{self.col}: {self.message}"
        if self.suggestion:
            head += f" (did you mean '{self.suggestion}'?)"
        return f"{head}\n{self.source_line}\n{caret}"

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "line": self.line,
            "column": self.col,
            "source_line": self.source_line,
            "suggestion": self.suggestion,
            "text": str(self),
        }

    @classmethod
    def at(cls, source: str, line: int, col: int, message: str, code: str = "syntax",
           filename: str = "<criteria>", suggestion: str | None = None) -> CriteriaError:
        """Build an error, filling in the source line from the whole text."""
        lines = source.splitlines()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return cls(message, line, col, code, text, filename, suggestion)
