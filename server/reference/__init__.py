"""Reference documents generated from the code where the code is the truth:
``docs/metrics.md`` from the metric catalog, ``docs/csv-formats.md`` and
``examples/csv/`` from the ingest specs. ``python -m server.reference`` (or
``make contract``) rewrites them; tests/test_reference_docs.py fails on drift."""

from server.reference.write import generated_files, write_all

__all__ = ["generated_files", "write_all"]
