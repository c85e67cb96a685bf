"""GraphQL types and root fields, and the per-role schemas built from them.
Resolvers here resolve periods and scopes, then ask the loaders for data."""
