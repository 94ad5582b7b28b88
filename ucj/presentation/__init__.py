"""What a page shows: the language catalogue and number rules, tables, charts, maps, Excel, and the
district, overview, explorer and budget views. It reads typed figures from the analysis layer and
never schedules, records or checks runs (that is ucj.runs, which uses this package)."""
