"""F: format rules — the report has the sections, tables, rows and cells the national format asks for."""
