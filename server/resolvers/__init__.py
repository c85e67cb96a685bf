"""Data access: one SQL statement per metric family for many scopes at once, and
the per-request DataLoaders that batch them. Plain dataclasses out, no GraphQL."""
