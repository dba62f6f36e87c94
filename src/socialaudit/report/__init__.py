"""Reports: self-contained HTML files rendered from the store with autoescaping Jinja2."""
