"""Assemble the root types and build one schema per role, once at start-up."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.extensions.query_depth_limiter import IgnoreContext
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from server.auth.principal import Role
from server.config import Settings
from server.schema.fast_execution import FastExecutionContext
from server.schema.ingest import IngestMutation
from server.schema.limits import CostLimit, DocumentShapeLimit
from server.schema.nul_guard import RefuseNulCharacters
from server.schema.partners import PartnerQuery
from server.schema.query import CoreMutation, CoreQuery
from server.schema.scalars import SCALARS
from server.schema.validation_memo import DocumentValidationCache
from server.schema.visibility import RoleSchema, is_visible

Query = merge_types("Query", (CoreQuery, PartnerQuery))
Mutation = merge_types("Mutation", (CoreMutation, IngestMutation))
# merge_types drops the parts' descriptions; the merged roots get their own.
Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "The entry points for reading; each role's schema has only the fields it may use."
)
Mutation.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "The entry points for changing data; each role's schema has only the fields it may use."
)


def _ignore_introspection(context: IgnoreContext) -> bool:
    """Depth counts the schema's own fields; introspection is bounded by tokens."""
    return context.field_name.startswith("__")


def _extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    # Rule classes are built once: rebuilt per request they defeat the validation
    # cache (strawberry issue #4635).
    rules = [
        *QueryDepthLimiter(
            max_depth=settings.max_depth, should_ignore=_ignore_introspection
        ).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=256),
        lambda: AddValidationRules(rules),
        # Before DocumentValidationCache: it refuses what would make validation itself slow.
        lambda: DocumentShapeLimit(
            max_fields=settings.max_fields,
            max_aliases=settings.max_aliases,
            max_repeated=settings.max_repeated_fields,
        ),
        DocumentValidationCache,
        lambda: CostLimit(max_cost=settings.max_cost),
        RefuseNulCharacters,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return extensions


def _has_fields_for(root: type, role: Role) -> bool:
    definition = root.__strawberry_definition__  # type: ignore[attr-defined]
    return any(is_visible(f, role) for f in definition.fields)


def build_schema(role: Role, settings: Settings) -> RoleSchema:
    return RoleSchema(
        role,
        query=Query,
        mutation=Mutation if _has_fields_for(Mutation, role) else None,
        extensions=_extensions(settings),
        execution_context_class=FastExecutionContext if settings.fast_execution else None,
        # sort_schema=True would rebuild the schema with plain graphql-core enum types,
        # which hand resolvers enum values as strings; definition order is stable.
        config=StrawberryConfig(disable_field_suggestions=True, scalar_map=SCALARS),
    )


def build_schemas(settings: Settings) -> dict[Role, strawberry.Schema]:
    return {role: build_schema(role, settings) for role in Role}
