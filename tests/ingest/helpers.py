"""An operator pushing to the hub over T/CEC 102, built on the codec alone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from app.core.time import utc_now
from app.tcec.crypto import ChannelSecrets
from app.tcec.envelope import format_timestamp, open_response, seal_request

OPERATOR = "MA002TMQX"
INBOUND = {
    "operator_secret": "operator-secret-0123456789abcdef",
    "data_secret": "a1b2c3d4e5f6g7h8",
    "data_secret_iv": "0011223344556677",
    "sig_secret": "sig-secret-for-pushes",
}
OUTBOUND = {
    "operator_secret": "hub-secret-0123456789abcdef",
    "data_secret": "h8g7f6e5d4c3b2a1",
    "data_secret_iv": "7766554433221100",
    "sig_secret": "sig-secret-for-pulls",
}
SECRETS = ChannelSecrets(
    data_secret=INBOUND["data_secret"],
    data_secret_iv=INBOUND["data_secret_iv"],
    sig_secret=INBOUND["sig_secret"],
)
CONNECTOR = "310105MA002TMQX0001011"  # 新泾三村, pile 1 (demo catalogue)


class Operator:
    """The operator's side of the conversation, built on the codec alone."""

    def __init__(self, client: httpx.AsyncClient, secrets: ChannelSecrets = SECRETS) -> None:
        self.client, self.secrets, self.seq, self.token = client, secrets, 0, ""

    def envelope(self, payload: Any, *, at: datetime | None = None) -> dict[str, str]:
        self.seq += 1
        return seal_request(
            OPERATOR,
            payload,
            self.secrets,
            timestamp=format_timestamp(at or utc_now()),
            seq=f"{self.seq:04d}",
        )

    async def post(self, interface: str, body: Any, *, token: str | None = None) -> httpx.Response:
        bearer = token if token is not None else self.token
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        return await self.client.post(f"/evcs/v1/{interface}", json=body, headers=headers)

    async def call(self, interface: str, payload: Any, **kwargs: Any) -> tuple[int, str, Any]:
        response = await self.post(interface, self.envelope(payload, at=kwargs.pop("at", None)))
        assert response.status_code == 200
        return open_response(response.json(), self.secrets)

    async def login(self, secret: str = INBOUND["operator_secret"]) -> dict[str, Any]:
        ret, _, data = await self.call(
            "query_token", {"OperatorID": OPERATOR, "OperatorSecret": secret}
        )
        assert ret == 0
        self.token = data["AccessToken"]
        return dict(data)


def status(code: int, connector: str = CONNECTOR) -> dict[str, Any]:
    return {"ConnectorStatusInfo": {"ConnectorID": connector, "Status": code}}
