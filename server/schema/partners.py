"""Sales partners and their dashboard (filled in by the partner work)."""

from __future__ import annotations

import strawberry


@strawberry.type
class PartnerQuery:
    pass
