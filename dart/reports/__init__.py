"""Every renderer of every result: text, HTML, figures and CSV, used by the CLI, the API and
the dashboard alike.

Above the analyses and recruitment (a renderer reads their result objects), below the
application layer, the CLI, the web layer and the dashboards. ``spreadsheet`` is the one CSV
writer and ``palette`` the one set of colours.

- ``feasibility_text`` — ``dart count``'s tables and the SQL shown with ``--show-sql``
- ``representativeness_text`` / ``_html`` / ``_figures`` — the representativeness report
- ``profile_text`` / ``profile_html`` — the data-quality profile
- ``forecast_figure`` — a study's recruitment forecast: its bars, layout and titles, which
  the dashboard draws in its own look
- ``invite_list_csv`` — an invite list as the practice downloads it
- ``generation_text`` — ``dart generate``'s summary
"""
