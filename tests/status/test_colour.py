"""The board colour rules as pure functions (architecture page, "Board colour")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core.config import ColourRules
from app.models.states import Cause, Colour, ConnectorState
from app.status.codes import state_for_tcec_code
from app.status.colour import (
    ColourSince,
    ConnectorView,
    Transition,
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
    repeated_since = view.since if faults >= RULES.repeated_fault_count else None
    return connector_colour(view, now=NOW, repeated_since=repeated_since, rules=RULES).colour


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
    result = connector_colour(view, now=NOW, repeated_since=None, rules=RULES)
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
    assert connector_colour(view, now=NOW, repeated_since=None, rules=strict).colour is Colour.RED
    assert connector_colour(view, now=NOW, repeated_since=None, rules=RULES).colour is Colour.YELLOW


def derive(states: list[ConnectorState], *, maintenance: bool = False) -> Colour:
    views = [ConnectorView(s, NOW - timedelta(minutes=1)) for s in states]
    return derive_pile_colour(
        views,
        maintenance=maintenance,
        now=NOW,
        repeated_since=None,
        rules=RULES,
        previous=None,
    ).colour


def test_pile_is_the_worst_of_its_connectors() -> None:
    assert derive([ConnectorState.CHARGING, ConnectorState.AVAILABLE]) is Colour.GREEN
    assert derive([ConnectorState.CHARGING, ConnectorState.FAULTED]) is Colour.YELLOW


def test_maintenance_flag_makes_a_pile_red_whatever_it_reports() -> None:
    assert derive([ConnectorState.AVAILABLE], maintenance=True) is Colour.RED


def test_a_pile_that_never_reported_is_unknown() -> None:
    assert derive([]) is Colour.UNKNOWN


def pile(
    views: list[ConnectorView],
    previous: ColourSince | None,
    transitions: list[Transition] | None = None,
    *,
    maintenance: bool = False,
    floor: datetime | None = None,
    repeated_since: datetime | None = None,
) -> ColourSince:
    return derive_pile_colour(
        views, maintenance=maintenance, now=NOW, repeated_since=repeated_since, rules=RULES,
        previous=previous, transitions=transitions or [], floor=floor,
    )  # fmt: skip


def test_clearing_maintenance_dates_the_colour_from_the_staff_action() -> None:
    views = [ConnectorView(ConnectorState.AVAILABLE, NOW - timedelta(days=2))]
    flagged = ColourSince(Colour.RED, NOW - timedelta(hours=3), Cause.MAINTENANCE)
    cleared_at = NOW - timedelta(minutes=5)
    assert pile(views, flagged, floor=cleared_at) == ColourSince(Colour.GREEN, cleared_at)
    flagged_again = pile(views, None, maintenance=True, floor=cleared_at)
    assert flagged_again == ColourSince(Colour.RED, cleared_at, Cause.MAINTENANCE)


def test_a_fault_dates_from_its_report_even_before_the_previous_change() -> None:
    """Issue 15: the simulator's replayed reports predate the pile's registration (its
    first colour's since); the fault is still yellow since its own operator time."""
    fault_at = NOW - timedelta(hours=2)
    registered = ColourSince(Colour.UNKNOWN, NOW - timedelta(hours=1))
    views = [ConnectorView(ConnectorState.FAULTED, fault_at)]
    assert pile(views, registered) == ColourSince(Colour.YELLOW, fault_at, Cause.FAULT)


def test_recovery_dates_from_the_report_that_cleared_the_last_bad_connector() -> None:
    fault_at, recovered_at = NOW - timedelta(hours=2), NOW - timedelta(minutes=30)
    charging_since = NOW - timedelta(days=3)  # the other connector, green all along
    views = [
        ConnectorView(ConnectorState.AVAILABLE, recovered_at),
        ConnectorView(ConnectorState.CHARGING, charging_since),
    ]
    yellow = ColourSince(Colour.YELLOW, fault_at, Cause.FAULT)
    left = Transition(ConnectorView(ConnectorState.FAULTED, fault_at), recovered_at)
    assert pile(views, yellow, [left]) == ColourSince(Colour.GREEN, recovered_at)
    # A connector that left an in-service state did not make the pile green.
    idle = Transition(ConnectorView(ConnectorState.AVAILABLE, charging_since), NOW)
    assert pile(views, yellow, [left, idle]).since == recovered_at
    # Time alone made it better (faults leaving the window): since the sweep noticed.
    assert pile(views, yellow).since == NOW


def test_a_better_colour_never_dates_from_before_the_worse_one_began() -> None:
    """Offline, yellow once the grace ran out; the operator's report that it was back came
    later but was stamped within the grace: green since the yellow began, not before."""
    offline_at = NOW - timedelta(minutes=30)
    yellow = ColourSince(Colour.YELLOW, offline_at + RULES.offline_grace, Cause.OFFLINE)
    back_at = offline_at + timedelta(minutes=5)
    views = [ConnectorView(ConnectorState.AVAILABLE, back_at)]
    left = Transition(ConnectorView(ConnectorState.OFFLINE, offline_at), back_at)
    assert pile(views, yellow, [left]) == ColourSince(Colour.GREEN, yellow.since)


@pytest.mark.parametrize(
    ("state", "age", "repeated", "expected"),
    [
        (ConnectorState.OFFLINE, timedelta(minutes=15), None, (Colour.YELLOW, Cause.OFFLINE, 5)),
        (ConnectorState.FAULTED, timedelta(minutes=15), None, (Colour.YELLOW, Cause.FAULT, 15)),
        (ConnectorState.FAULTED, timedelta(hours=25), None, (Colour.RED, Cause.LONG_FAULT, 60)),
        # The third fault came after this one began: red from then, not from this fault.
        (ConnectorState.FAULTED, timedelta(minutes=15), 10, (Colour.RED, Cause.REPEATED_FAULT, 10)),
        (ConnectorState.FAULTED, timedelta(minutes=15), 20, (Colour.RED, Cause.REPEATED_FAULT, 15)),
        # Both red rules: whichever applied first.
        (ConnectorState.FAULTED, timedelta(hours=25), 30, (Colour.RED, Cause.LONG_FAULT, 60)),
        (ConnectorState.FAULTED, timedelta(hours=25), 90, (Colour.RED, Cause.REPEATED_FAULT, 90)),
    ],
)
def test_each_rule_gives_its_cause_and_its_own_instant(
    state: ConnectorState,
    age: timedelta,
    repeated: int | None,
    expected: tuple[Colour, Cause, int],
) -> None:
    """`expected` gives the colour, the cause and how many minutes before NOW it began."""
    view = ConnectorView(state, NOW - age)
    repeated_since = NOW - timedelta(minutes=repeated) if repeated is not None else None
    got = connector_colour(view, now=NOW, repeated_since=repeated_since, rules=RULES)
    colour, cause, minutes = expected
    assert got == ColourSince(colour, NOW - timedelta(minutes=minutes), cause)


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
                assert connector_colour(view, now=later, repeated_since=NOW,
                                        rules=ColourRules()).colour is Colour.GREEN  # fmt: skip
    else:
        assert previous not in IN_SERVICE or current not in IN_SERVICE
