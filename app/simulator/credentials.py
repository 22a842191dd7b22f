"""Synthetic, demo-only T/CEC credentials between the hub and the State Grid simulator.

DEMO ONLY. These strings are published in the source code: they protect nothing and must
never be onboarded for a real operator. They exist so that `pilehub demo` and the tests can
connect the hub and the simulator without anyone typing secrets.

Credentials are per direction (S1 §4.4; ref §1.2), named from the hub's side as in
`app.operators.schemas.OperatorOnboard`:

* inbound  — operator → hub: what the simulator uses to call the hub's receivers;
* outbound — hub → operator: what the hub uses to call the simulator's pulls.

DataSecret, DataSecretIV and SigSecret are 16 ASCII characters used as raw bytes (AES-128);
the OperatorSecrets are 16 characters too.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.tcec.crypto import ChannelSecrets

STATE_GRID_OPERATOR_ID = "MA002TMQX"
STATE_GRID_NAME = "国网电动汽车服务有限公司"
# The hub's default OperatorID (Settings.hub_operator_id); the envelope carries the caller's.
DEFAULT_HUB_OPERATOR_ID = "PILEHUB01"


@dataclass(frozen=True, slots=True, repr=False)
class DirectionCredentials:
    """One direction: the OperatorSecret the callee checks in query_token, plus the keys."""

    operator_secret: str
    secrets: ChannelSecrets

    def as_onboarding(self) -> dict[str, str]:
        """The hub's `ChannelCredentials` shape."""
        return {
            "operator_secret": self.operator_secret,
            "data_secret": self.secrets.data_secret,
            "data_secret_iv": self.secrets.data_secret_iv,
            "sig_secret": self.secrets.sig_secret,
        }

    def __repr__(self) -> str:
        return "DirectionCredentials(***)"


@dataclass(frozen=True, slots=True, repr=False)
class SimulatorCredentials:
    operator_id: str
    inbound: DirectionCredentials  # operator → hub
    outbound: DirectionCredentials  # hub → operator

    def __repr__(self) -> str:
        return f"SimulatorCredentials({self.operator_id}, ***)"


DEMO_CREDENTIALS = SimulatorCredentials(
    operator_id=STATE_GRID_OPERATOR_ID,
    inbound=DirectionCredentials(
        operator_secret="DEMOONLY-sg2hub0",
        secrets=ChannelSecrets(
            data_secret="demo-sg2hub-data",
            data_secret_iv="demo-sg2hub-iv00",
            sig_secret="demo-sg2hub-sig0",
        ),
    ),
    outbound=DirectionCredentials(
        operator_secret="DEMOONLY-hub2sg0",
        secrets=ChannelSecrets(
            data_secret="demo-hub2sg-data",
            data_secret_iv="demo-hub2sg-iv00",
            sig_secret="demo-hub2sg-sig0",
        ),
    ),
)


def onboarding_document(
    credentials: SimulatorCredentials = DEMO_CREDENTIALS,
) -> dict[str, dict[str, str]]:
    """`{"inbound": {...}, "outbound": {...}}`, what `pilehub operators add --secrets-file`
    and `OperatorOnboard` take, so the demo can connect the simulator like any operator."""
    return {
        "inbound": credentials.inbound.as_onboarding(),
        "outbound": credentials.outbound.as_onboarding(),
    }
