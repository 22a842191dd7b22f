"""The board colour rules as pure functions (architecture page, "Board colour")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.config import ColourRules
from app.status.codes import ConnectorState, state_for_tcec_code
from app.status.colour import (
    Colour,
    ConnectorView,
    colour_may_change,
    connector_colour,
    derive_pile_colour,
)

RULES = ColourRules()
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "state"),
    [
        (0, ConnectorState.OFFLINE),
        (1, ConnectorState.AVAILABLE),
        (2, ConnectorState.OCCUPIED),
        (3, ConnectorState.CHARGING),
        (4, ConnectorState.RESERVED),
        (255, ConnectorState.FAULTED),
    ],
)
def test_tcec_codes_normalise(code: int, state: ConnectorState) -> None:
    assert state_for_tcec_code(code) is state


@pytest.mark.parametrize("code", [-1, 5, 6, 100, 254, 256])
def test_undefined_tcec_codes_have_no_state(code: int) -> None:
    assert state_for_tcec_code(code) is None


def colour(state: ConnectorState, age: timedelta, faults: int = 0) -> Colour:
    view = ConnectorView(state, NOW - age)
    return connector_colour(view, now=NOW, recent_faults=faults, rules=RULES).colour


@pytest.mark.parametrize(
    "state",
    [
        ConnectorState.AVAILABLE,
        ConnectorState.OCCUPIED,
        ConnectorState.CHARGING,
        ConnectorState.RESERVED,
    ],
)
def test_healthy_states_are_green(state: ConnectorState) -> None:
    assert colour(state, timedelta(days=30)) is Colour.GREEN


def test_offline_is_green_within_the_grace_period_then_yellow() -> None:
    assert colour(ConnectorState.OFFLINE, timedelta(minutes=9, seconds=59)) is Colour.GREEN
    assert colour(ConnectorState.OFFLINE, timedelta(minutes=10)) is Colour.YELLOW
    view = ConnectorView(ConnectorState.OFFLINE, NOW - timedelta(hours=1))
    result = connector_colour(view, now=NOW, recent_faults=0, rules=RULES)
    assert result.since == NOW - timedelta(minutes=50)


def test_fault_is_yellow_then_red_after_24_hours() -> None:
    assert colour(ConnectorState.FAULTED, timedelta(hours=23, minutes=59)) is Colour.YELLOW
    assert colour(ConnectorState.FAULTED, timedelta(hours=24)) is Colour.RED


def test_third_fault_in_the_window_is_red_at_once() -> None:
    assert colour(ConnectorState.FAULTED, timedelta(minutes=1), faults=2) is Colour.YELLOW
    assert colour(ConnectorState.FAULTED, timedelta(minutes=1), faults=3) is Colour.RED
    # Repeated faults do not colour a connector that works now.
    assert colour(ConnectorState.AVAILABLE, timedelta(minutes=1), faults=5) is Colour.GREEN


def test_thresholds_are_configuration() -> None:
    strict = ColourRules(offline_grace=timedelta(minutes=1), red_after_fault=timedelta(hours=1))
    view = ConnectorView(ConnectorState.FAULTED, NOW - timedelta(hours=2))
    assert connector_colour(view, now=NOW, recent_faults=0, rules=strict).colour is Colour.RED
    assert connector_colour(view, now=NOW, recent_faults=0, rules=RULES).colour is Colour.YELLOW


def derive(states: list[ConnectorState], *, maintenance: bool = False) -> Colour:
    views = [ConnectorView(s, NOW - timedelta(minutes=1)) for s in states]
    return derive_pile_colour(
        views,
        maintenance=maintenance,
        now=NOW,
        recent_faults=0,
        rules=RULES,
        previous_since=None,
    ).colour


def test_pile_is_the_worst_of_its_connectors() -> None:
    assert derive([ConnectorState.CHARGING, ConnectorState.AVAILABLE]) is Colour.GREEN
    assert derive([ConnectorState.CHARGING, ConnectorState.FAULTED]) is Colour.YELLOW


def test_maintenance_flag_makes_a_pile_red_whatever_it_reports() -> None:
    assert derive([ConnectorState.AVAILABLE], maintenance=True) is Colour.RED


def test_a_pile_that_never_reported_is_unknown() -> None:
    assert derive([]) is Colour.UNKNOWN


def test_colour_since_never_predates_the_previous_change_or_a_staff_action() -> None:
    views = [ConnectorView(ConnectorState.AVAILABLE, NOW - timedelta(days=2))]
    flagged_at = NOW - timedelta(hours=3)
    cleared_at = NOW - timedelta(minutes=5)
    result = derive_pile_colour(
        views,
        maintenance=False,
        now=NOW,
        recent_faults=0,
        rules=RULES,
        previous_since=flagged_at,
        floor=cleared_at,
    )
    assert result.colour is Colour.GREEN
    assert result.since == cleared_at


IN_SERVICE = [ConnectorState.AVAILABLE, ConnectorState.OCCUPIED, ConnectorState.CHARGING,
              ConnectorState.RESERVED]  # fmt: skip


@pytest.mark.parametrize("previous", [None, *ConnectorState])
@pytest.mark.parametrize("current", list(ConnectorState))
def test_only_moves_between_in_service_states_leave_the_colour_alone(
    previous: ConnectorState | None, current: ConnectorState
) -> None:
    """The shortcut the status service takes agrees with the rules: whenever it says "cannot
    change", both states give a green connector at any time and fault count."""
    if not colour_may_change(previous, current):
        assert previous in IN_SERVICE
        assert current in IN_SERVICE
        for state in (previous, current):
            for hours in (0, 1, 48):
                view = ConnectorView(state, NOW)
                later = NOW + timedelta(hours=hours)
                assert connector_colour(view, now=later, recent_faults=99,
                                        rules=ColourRules()).colour is Colour.GREEN  # fmt: skip
    else:
        assert previous not in IN_SERVICE or current not in IN_SERVICE
