"""DART's own store (the native schema): its tables are the logical tables themselves."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dart.sources import no_enrolments
from dart.store import schema
from dart.store.engine import require_store, store_info


class NativeSource:
    """The native store: ``patient``, ``practice``, ``observation``, ``prescription``,
    ``invitation`` read as they are (so the compiled SQL names them directly)."""

    name = "native"
    writable = True
    practices = schema.practice
    events = schema.observation
    prescriptions = schema.prescription
    invitations = schema.invitation
    enrolments = no_enrolments()  # the application database's, when a query is sent them
    identities = schema.patient
    event_codes = ("code",)
    prescription_codes = ("code",)

    def patients(self, index: dt.date) -> sa.FromClause:  # noqa: ARG002 - one row per patient
        return schema.patient

    def extract_date(self, bind: sa.Engine | sa.Connection) -> str | None:
        return store_info(bind).get("extract_date")

    def require(self, engine: sa.Engine) -> None:
        require_store(engine)

    missing_words = "are in no record of the store"

    def matched_codes(self, system: str, codes: tuple[str, ...]) -> sa.Select:
        table = self.events if system == "snomed" else self.prescriptions
        return sa.select(table.c.code).where(table.c.code.in_(codes)).distinct()


NATIVE = NativeSource()
