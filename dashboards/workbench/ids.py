"""Component ids of the criteria workbench (one place, so layout, callbacks and tests agree)."""

EXAMPLE = "wb-example"
TEXT = "wb-text"
GUTTER = "wb-gutter"
BAND = "wb-band"
CHECK = "wb-check"
RUN = "wb-run"
STATUS = "wb-status"
SAME = "wb-same"  # the note of a Run whose result is the one shown
RESULT = "wb-result"
RESULTS = "wb-results"
INTRO = "wb-intro"
CARDS = "wb-cards"
FUNNEL = "wb-funnel"
IMPACT = "wb-impact"
MAP = "wb-map"
MAP_SOURCE = "wb-map-source"  # the boundaries' attribution, under the map
PRACTICES = "wb-practices"
DIMENSION = "wb-dimension"  # which breakdown is shown
BREAKDOWN = "wb-breakdown"  # the chart of the breakdown shown
BREAKDOWNS = "wb-breakdowns"  # every breakdown's figure of the run, for the browser to pick
EXPORT_JSON = "wb-export-json"
EXPORT_CSV = "wb-export-csv"
EXPORT_NOTE = "wb-export-note"
DOWNLOAD = "wb-download"
SAVE = "wb-save"
SAVED = "wb-saved"
BASE_COUNT = "wb-base-count"
ELIGIBLE_COUNT = "wb-eligible-count"
PRELOAD = "wb-preload"
PRELOAD_TABLE = "wb-preload-table"
RAN = "wb-ran"  # the criteria text of the last run that worked, for the data-quality panel
PROFILE = "wb-profile"
NOT_UP_TO_STANDARD = "wb-profile-poor"
NEVER_SEEN = "wb-profile-never-seen"
CODES = "wb-profile-codes"

