"""The policy domain: reading, validating and rendering policies.

This package is plain Python. It must not import MkDocs, Material, Flask or Werkzeug, so the
site generator or the web framework can be replaced without touching the rules about policies.
`hooks/` (MkDocs) and `consultation/` (Flask) are thin adapters over it; ruff's banned-api rule
in pyproject.toml holds that line.
"""
