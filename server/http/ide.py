"""The development GraphiQL page, served with its own assets (no CDN: it works
offline), a header editor prefilled for ``Authorization``, and a helper that
lists ready demo tokens (``GET /dev/tokens``, development only).

The assets under ``server/static/graphiql/`` are vendored from npm (graphiql
3.9.0, react and react-dom 18.3.1, their MIT licences beside them);
``ide.js`` is ours.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server.devtokens import demo_token_list

ASSETS = Path(__file__).resolve().parent.parent / "static" / "graphiql"
ASSET_PATH = "/graphiql-assets"

_PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>insights · GraphiQL</title>
  <link rel="stylesheet" href="{ASSET_PATH}/graphiql.min.css">
  <link rel="stylesheet" href="{ASSET_PATH}/ide.css">
</head>
<body>
  <div id="tokens" aria-label="development tokens"><span>Demo tokens:</span></div>
  <div id="graphiql">Loading…</div>
  <script src="{ASSET_PATH}/react.production.min.js"></script>
  <script src="{ASSET_PATH}/react-dom.production.min.js"></script>
  <script src="{ASSET_PATH}/graphiql.min.js"></script>
  <script src="{ASSET_PATH}/ide.js"></script>
</body>
</html>
"""


def is_ide_request(conn: HTTPConnection) -> bool:
    """A browser opening ``/graphql`` (GET, accepts HTML, no query): the IDE page,
    which needs no token (the token goes into the IDE's header editor instead)."""
    return (
        conn.scope.get("method") == "GET"
        and conn.url.path == "/graphql"
        and "text/html" in conn.headers.get("accept", "")
        and "query" not in conn.query_params
        and "extensions" not in conn.query_params
    )


def ide_page() -> HTMLResponse:
    return HTMLResponse(_PAGE, headers={"Cache-Control": "no-store"})


async def dev_tokens(request: Request) -> JSONResponse:
    """Ready tokens for the first importer (development only: never routed in production)."""
    state = request.app.state.insights
    found = await demo_token_list(state.engine, state.settings)
    if found is None:
        return JSONResponse({"importer": None, "tokens": []})
    importer, tokens = found
    return JSONResponse(
        {
            "importer": importer,
            "tokens": [{"role": t.role, "scope": t.scope, "token": t.token} for t in tokens],
        },
        headers={"Cache-Control": "no-store"},
    )


def ide_routes() -> list[BaseRoute]:
    """The development-only routes: the IDE's assets and the token helper."""
    return [
        Mount(ASSET_PATH, StaticFiles(directory=ASSETS), name="graphiql-assets"),
        Route("/dev/tokens", dev_tokens),
    ]
