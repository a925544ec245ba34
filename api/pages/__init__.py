"""Server-rendered pages (Jinja2): one module per area, all rendered through ``rendering``."""
