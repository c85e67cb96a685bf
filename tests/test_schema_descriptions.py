"""Every type, field, argument, enum value and input field of every role's schema
carries a description: the schema is the reference a client reads in GraphiQL
and codegen output. Checked on the built schemas with graphql-core, and with
graphql-schema-linter (npm) on the committed SDL files."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
)

from server.auth.principal import Role
from server.schema.build import build_schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schema"

LINT_RULES = (
    "arguments-have-descriptions",
    "defined-types-are-used",
    "deprecations-have-a-reason",
    "descriptions-are-capitalized",
    "enum-values-all-caps",
    "enum-values-have-descriptions",
    "fields-are-camel-cased",
    "fields-have-descriptions",
    "input-object-values-are-camel-cased",
    "input-object-values-have-descriptions",
    "relay-connection-types-spec",
    "relay-connection-arguments-spec",
    "relay-page-info-spec",
    "types-are-capitalized",
    "types-have-descriptions",
)
"""Every rule of graphql-schema-linter but the four ordering rules (fields keep
the order they are read in)."""


def _missing(type_: GraphQLNamedType) -> list[str]:
    name = type_.name
    if name.startswith("__"):
        return []
    missing = [] if type_.description else [f"type {name}"]
    if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
        for field_name, field in type_.fields.items():
            if not field.description:
                missing.append(f"field {name}.{field_name}")
            missing += [
                f"argument {name}.{field_name}({arg_name})"
                for arg_name, arg in field.args.items()
                if not arg.description
            ]
    elif isinstance(type_, GraphQLInputObjectType):
        missing += [f"input field {name}.{f}" for f, v in type_.fields.items() if not v.description]
    elif isinstance(type_, GraphQLEnumType):
        missing += [f"enum value {name}.{v}" for v, d in type_.values.items() if not d.description]
    return missing


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Every schema member without a description, by kind and coordinate."""
    return [m for type_ in schema.type_map.values() for m in _missing(type_)]


@pytest.mark.parametrize("role", list(Role))
def test_every_member_of_the_role_schema_is_described(role, settings):
    missing = undescribed(build_schema(role, settings)._schema)
    assert not missing, f"{len(missing)} undescribed in the {role.value} schema:\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("role", list(Role))
def test_no_description_points_outside_the_repository(role, settings):
    text = (SCHEMAS / f"{role.value}.graphql").read_text()
    assert "../shared" not in text and "DOMAIN.md" not in text and "API.md" not in text


def _linter() -> str:
    if shutil.which("npm") is None:
        pytest.skip("graphql-schema-linter needs node and npm on PATH")
    done = subprocess.run(
        [str(ROOT / "scripts" / "install-schema-linter")], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(
            f"scripts/install-schema-linter failed (npm needs the registry):\n{done.stderr}"
        )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("role", list(Role))
def test_graphql_schema_linter_reports_nothing(role):
    rules = LINT_RULES
    if "Connection {" not in (SCHEMAS / f"{role.value}.graphql").read_text():
        # a schema without a connection (the integration role's) needs no PageInfo
        rules = tuple(r for r in rules if r != "relay-page-info-spec")
    done = subprocess.run(
        [
            _linter(),
            "--format",
            "json",
            "--rules",
            ",".join(rules),
            str(SCHEMAS / f"{role.value}.graphql"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    report = json.loads(done.stdout) if done.stdout.strip() else {"errors": []}
    problems = [f"{e['location']['line']}: {e['message']} ({e['rule']})" for e in report["errors"]]
    assert not problems and done.returncode == 0, "\n".join(problems) or done.stderr
