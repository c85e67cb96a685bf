"""An independent raw-SQL oracle for the dashboard metrics, used by property tests.

It reads only the raw tables (never rollups, never ``server`` code beyond the
table definitions) and spells out METRICS.md one SQL statement per metric, so a
disagreement with the API points at a bug in one of the two.
"""

from tests.oracle.activations import WorkshopActivity, activations_oracle
from tests.oracle.partners import partner_oracle

__all__ = ["WorkshopActivity", "activations_oracle", "partner_oracle"]
