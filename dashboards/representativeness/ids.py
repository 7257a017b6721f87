"""Component ids of the representativeness view."""

SOURCE = "rep-source"
STUDY = "rep-study"
STUDY_ROW = "rep-study-row"
EXAMPLE = "rep-example"
TEXT = "rep-text"
RUN = "rep-run"
RESULT = "rep-result"
STATUS = "rep-status"
DIMENSION = "rep-dimension"
REFERENCE = "rep-reference"
SHARES = "rep-shares"
RATIO = "rep-ratio"
HEATMAP = "rep-heatmap"
SUMMARY = "rep-summary"
BODY = "rep-body"
INTRO = "rep-intro"
FIGURES = "rep-figures"  # the figures shown first, sent with the report
ALL_FIGURES = "rep-all-figures"  # every figure of the report, from a second request
DRAWN = "rep-drawn"  # the run whose first figures are drawn: then the rest are asked for
GAPS = "rep-gaps"
BY_DESIGN = "rep-by-design"
