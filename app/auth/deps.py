"""The caller's principal. Until OAuth2 lands it is the fixed city-wide principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.auth.principal import Principal, city_principal
from app.core.context import AppContext


async def current_principal(request: Request) -> Principal:
    context: AppContext = request.app.state.context
    return city_principal(context.settings.city_code)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
