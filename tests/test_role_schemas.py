"""Role-hidden fields: each role's schema lacks what the role may not see, so
introspection reveals nothing and naming a hidden field fails validation. The
committed SDL per role (docs/schema/*.graphql) is checked in test_schema_contract."""

import pytest

INTROSPECT = '{ __type(name: "ActivationsDashboard") { fields { name } } }'
IMPORTER_ONLY = {"appUsers", "marketingCampaignsSent", "workshopActivity"}


async def test_workshop_introspection_lacks_importer_only_fields(gql):
    importer = await gql(INTROSPECT)
    workshop = await gql(INTROSPECT, role="workshop", workshops=["w1"])
    importer_fields = {f["name"] for f in importer["data"]["__type"]["fields"]}
    workshop_fields = {f["name"] for f in workshop["data"]["__type"]["fields"]}
    assert importer_fields >= IMPORTER_ONLY
    assert not IMPORTER_ONLY & workshop_fields
    assert workshop_fields == importer_fields - IMPORTER_ONLY


@pytest.mark.parametrize("field", sorted(IMPORTER_ONLY))
async def test_naming_a_hidden_field_fails_validation_without_hints(gql, field):
    body = await gql(
        f"{{ activationsDashboard(period: {{preset: LAST_7_DAYS}}) {{ {field} {{ __typename }} }} }}",
        role="workshop",
        workshops=["w1"],
    )
    (error,) = body["errors"]
    assert error["message"] == f"Cannot query field '{field}' on type 'ActivationsDashboard'."
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert body.get("data") is None


async def test_roles_without_a_feature_do_not_see_its_root_fields(gql):
    body = await gql("{ __schema { queryType { fields { name } } } }", role="integration")
    assert {f["name"] for f in body["data"]["__schema"]["queryType"]["fields"]} == {"me"}
    body = await gql("{ __schema { queryType { fields { name } } } }", role="partner_manager")
    names = {f["name"] for f in body["data"]["__schema"]["queryType"]["fields"]}
    assert "activationsDashboard" not in names and "workshops" not in names


async def test_metric_catalog_lists_only_what_the_role_sees(gql):
    importer = await gql("{ metricCatalog { key importerOnly } }")
    workshop = await gql(
        "{ metricCatalog { key importerOnly } }", role="workshop", workshops=["w1"]
    )
    importer_keys = {m["key"] for m in importer["data"]["metricCatalog"]}
    workshop_keys = {m["key"] for m in workshop["data"]["metricCatalog"]}
    assert importer_keys >= IMPORTER_ONLY
    assert not IMPORTER_ONLY & workshop_keys
    assert "pickRate" in importer_keys and "pickRate" not in workshop_keys
    assert not any(m["importerOnly"] for m in workshop["data"]["metricCatalog"])
