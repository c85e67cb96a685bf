"""Another importer's VIN is indistinguishable from an unknown one, through
the integration's doors: registering it succeeds as this importer's own vehicle,
and a fact naming a VIN only another importer knows gets the same error as a
VIN nobody knows (DOMAIN.md, "Identifiers")."""

from __future__ import annotations

from sqlalchemy import text

from tests.oracle.fixtures import insert_importer, insert_workshop

VEHICLES = "vin,importer_ref,make,model,model_year\n"
VISITS = "visit_ref,workshop_ref,vin,arrived_at\n"


async def _post(client, token, importer: str, kind: str, body: str):
    headers = {
        "Authorization": f"Bearer {token('integration', importer=importer)}",
        "Content-Type": "text/csv",
    }
    return await client.post(f"/ingest/{kind}", content=body, headers=headers)


async def test_another_importers_vin_looks_unknown(client, token, engine):
    async with engine.begin() as c:
        await insert_workshop(c, await insert_importer(c, ref="a"), ref="wa")
        await insert_workshop(c, await insert_importer(c, ref="b"), ref="wb")
    owned = await _post(client, token, "a", "vehicles", VEHICLES + "VIN-A,a,VW,Golf,2020\n")
    assert owned.status_code == 200, owned.text

    answers = []
    for vin in ("VIN-A", "VIN-NOBODY"):
        response = await _post(
            client, token, "b", "visits", VISITS + f"v1,wb,{vin},2026-11-02T10:00:00+01:00\n"
        )
        [error] = response.json()["errors"]
        answers.append(
            (
                response.status_code,
                error["extensions"]["column"],
                error["message"].replace(vin, "?"),
            )
        )
    assert answers[0] == answers[1] == (422, "vin", "unknown vin '?': load it in vehicles first")

    # B registers the same car (sold across the border): B's own vehicle, A's untouched.
    mine = await _post(client, token, "b", "vehicles", VEHICLES + "VIN-A,b,VW,Polo,2021\n")
    assert mine.json() == {"kind": "vehicles", "accepted": 1, "errors": []}
    async with engine.connect() as c:
        stored = await c.execute(
            text(
                "SELECT i.importer_ref, v.model FROM vehicles v "
                "JOIN importers i ON i.id = v.importer_id ORDER BY 1"
            )
        )
        assert stored.all() == [("a", "Golf"), ("b", "Polo")]
