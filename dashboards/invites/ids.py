"""Component ids of the practice invite-list view."""

STUDY = "inv-study"
TABLE = "inv-table"
DOWNLOAD_BUTTON = "inv-download-csv"
DOWNLOAD = "inv-download"
MARK = "inv-mark"
MESSAGE = "inv-message"
SUMMARY = "inv-summary"
