"""The demo's own admin for wall screens: it approves every screen that asks to sign in, for
Beixinjing street with the default read-only scopes, so the one printed URL opens the live
board with no other step.

This exists only as a task of `pilehub demo` (app/demo/process.py starts it next to the
simulator): there is no setting that turns it on, so a production hub cannot be made to sign
in every screen that asks. Everywhere else an admin of the area approves the user code
(`pilehub screens approve CODE --area CODE`, or `POST /v1/admin/screens`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

import structlog
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal, city_principal
from app.core.db import Database
from app.core.time import utc_now
from app.models import DeviceAuthorization
from app.oauth import screen_service

log = structlog.get_logger(__name__)

# Who the screens' records say approved them (Screen.approved_by), so that `pilehub screens
# list` tells a demo enrolment from a person's.
DEMO_APPROVER = "pilehub-demo"
# A screen polls the token endpoint every 5 s; approving within a second keeps the code on the
# wall for one poll at most.
ENROL_INTERVAL = 1.0


def demo_approver(city_code: str) -> Principal:
    return dataclasses.replace(city_principal(city_code), subject=DEMO_APPROVER)


async def pending_user_codes(session: AsyncSession) -> Sequence[str]:
    """User codes of the screens' requests still waiting for a decision, oldest first."""
    result = await session.exec(
        select(DeviceAuthorization.user_code)
        .where(
            DeviceAuthorization.client_id == screen_service.SCREEN_CLIENT_ID,
            DeviceAuthorization.status == "pending",
            col(DeviceAuthorization.expires_at) > utc_now(),
        )
        .order_by(col(DeviceAuthorization.id))
    )
    return result.all()


async def enrol_pending(database: Database, principal: Principal, area_code: str) -> int:
    """Approve every pending screen for `area_code` with the default read-only scopes (not
    what the screen asked for: the demo grants no more than an admin would by default)."""
    async with database.session() as session:
        codes = await pending_user_codes(session)
    approved = 0
    for user_code in codes:
        shown = f"{user_code[:4]}-{user_code[4:]}"  # as the screen shows it (XXXX-XXXX)
        async with database.session(write=True) as session:
            try:
                screen = await screen_service.approve(
                    session, principal, user_code=user_code, area_code=area_code,
                    scopes=set(screen_service.DEFAULT_SCREEN_SCOPES),
                    name=f"demo screen {shown}",
                )  # fmt: skip
            except LookupError:  # expired or decided meanwhile
                continue
        approved += 1
        # The user code is what the screen shows on the wall (not a secret); the device code
        # and the tokens never reach this task.
        log.info(
            "demo screen approved",
            screen_id=screen.screen_id,
            user_code=shown,
            area=screen.area_code,
            scopes=screen.scopes,
        )
    return approved


async def run_screen_enroller(
    database: Database,
    city_code: str,
    area_code: str,
    stop: asyncio.Event,
    *,
    interval: float = ENROL_INTERVAL,
) -> None:
    """Until `stop`: approve screens' pending requests for `area_code` every `interval`."""
    principal = demo_approver(city_code)
    while not stop.is_set():
        try:
            await enrol_pending(database, principal, area_code)
        except Exception:  # a locked SQLite or a dropped connection: try again next round
            log.exception("demo screen enrolment failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except TimeoutError:
            pass
