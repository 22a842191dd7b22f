"""T/CEC 102 connector status codes (ConnectorStatusInfo.Status) and their normalised states."""

from __future__ import annotations

from app.models.states import ConnectorState

# 0 离网 · 1 空闲 · 2 占用(未充电) · 3 占用(充电中) · 4 占用(预约锁定) · 255 故障 (S2 §4.6).
TCEC_STATES: dict[int, ConnectorState] = {
    0: ConnectorState.OFFLINE,
    1: ConnectorState.AVAILABLE,
    2: ConnectorState.OCCUPIED,
    3: ConnectorState.CHARGING,
    4: ConnectorState.RESERVED,
    255: ConnectorState.FAULTED,
}

# Tie-break when two reports carry the same operator time: the more severe one wins, so the
# result never depends on arrival order.
SEVERITY: dict[ConnectorState, int] = {
    ConnectorState.UNKNOWN: 0,
    ConnectorState.AVAILABLE: 1,
    ConnectorState.RESERVED: 2,
    ConnectorState.OCCUPIED: 3,
    ConnectorState.CHARGING: 4,
    ConnectorState.OFFLINE: 5,
    ConnectorState.FAULTED: 6,
}


def state_for_tcec_code(code: int) -> ConnectorState | None:
    """The normalised state of a T/CEC code, or None for a code the standard does not define."""
    return TCEC_STATES.get(code)
