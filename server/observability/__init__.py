"""Seeing what the service does: one record per request (``record``), filled
by an ASGI middleware (``middleware``) and written out as one log line
(``logging``) and as Prometheus metrics (``metrics``, shared by the worker
processes of one ``insights serve`` through ``multiprocess``)."""
