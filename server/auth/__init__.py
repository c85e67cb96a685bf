"""JWT verification → Principal; roles and their scopes."""

from server.auth.principal import Principal, Role

__all__ = ["Principal", "Role"]
