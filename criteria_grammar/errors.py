"""One exception tree for bad criteria: every error knows its line, column and source line.

Errors are data (``code``, ``line``, ``col``, ``message``); ``str(err)`` renders them the way
the spec shows, with the line and a caret, so the CLI, API and dashboard print the same.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CriteriaError(Exception):
    """A problem in criteria text at ``line``:``col`` (1-based).

    ``code`` is stable and tested (``syntax``, ``unknown-name``, ``undefined-define``,
    ``self-reference``, ``duplicate-name``, ``empty-range``, ``value-on-dmd``,
    ``unit-mismatch``, ``bad-date``, ``unknown-group``, ...); ``message`` is for people.
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
