"""Output formats of reports: number formatting (``fmt``), markdown and HTML tables (``markup``),
self-contained HTML pages (``html``), LaTeX booktabs tables (``latex``), the jinja2 templates of
the run report (``jinja``, ``templates/``) and plain pages of sections (``page``)."""
