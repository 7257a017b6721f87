"""Component ids of the administration view."""

PENDING = "adm-pending"
STUDY = "adm-study"
APPROVE = "adm-approve"
CLOSE = "adm-close"
MESSAGE = "adm-message"
AUDIT = "adm-audit"
REFRESH = "adm-refresh"
