"""insights: a GraphQL analytics API for importers, workshops and sales partners."""
