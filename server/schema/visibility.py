"""Per-role schemas from one set of type definitions.

A field tagged ``visible_to(...)`` exists only in the schemas of those roles: it is
absent from their introspection and naming it fails validation ("Cannot query
field"), so a hidden field is never confirmed to exist. One schema per role is
built once at start-up and picked per request from the verified JWT role.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from server.auth.principal import Role

_ROLES_KEY = "insights.roles"

ALL_ROLES = frozenset(Role)
DASHBOARD_ROLES = frozenset({Role.IMPORTER, Role.WORKSHOP})
PARTNER_ROLES = frozenset({Role.IMPORTER, Role.PARTNER_MANAGER, Role.SALES_PARTNER})
READER_ROLES = ALL_ROLES - {Role.INTEGRATION}


def visible_to(*roles: Role | frozenset[Role]) -> dict[str, Any]:
    """Field metadata restricting a field to ``roles``."""
    allowed: set[Role] = set()
    for role in roles:
        allowed |= role if isinstance(role, frozenset) else {role}
    return {_ROLES_KEY: frozenset(allowed)}


def is_visible(field: StrawberryField, role: Role) -> bool:
    metadata: dict[str, Any] = dict(field.metadata or {})
    roles: frozenset[Role] | None = metadata.get(_ROLES_KEY)
    return roles is None or role in roles


class RoleSchema(strawberry.Schema):
    """A schema that leaves out every field the role may not see."""

    def __init__(self, role: Role, **kwargs: Any) -> None:
        self.role = role  # get_fields runs during super().__init__
        super().__init__(**kwargs)

    def get_fields(self, type_definition: StrawberryObjectDefinition) -> list[StrawberryField]:
        return [f for f in type_definition.fields if is_visible(f, self.role)]
