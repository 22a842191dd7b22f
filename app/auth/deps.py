"""The caller's principal. Until OAuth2 lands it is the fixed city-wide principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.principal import Principal, city_principal
from app.core.deps import SettingsDep


def current_principal(settings: SettingsDep) -> Principal:
    return city_principal(settings.city_code)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
