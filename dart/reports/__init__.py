"""Every renderer of every result: text, HTML, figures and CSV, used by the CLI, the API and
the dashboard alike.

Above the analyses (a renderer reads their result objects), below the CLI, the web layer and
the dashboards. Two modules are stdlib-only formats that lower layers may use too:
``spreadsheet`` (the one CSV writer; the invite list exports with it) and ``palette`` (the
one set of colours).

- ``feasibility_text`` — ``dart count``'s tables and the SQL shown with ``--show-sql``
- ``representativeness_text`` / ``_html`` / ``_figures`` — the representativeness report
- ``profile_text`` / ``profile_html`` — the data-quality profile
- ``forecast_figure`` — a study's recruitment forecast
- ``generation_text`` — ``dart generate``'s summary
"""
