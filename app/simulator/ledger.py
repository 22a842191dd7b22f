"""Everything the simulator sent or answered, append-only, and the folds that check it.

Each push to the hub and each answer to a hub pull is one entry: which interface, the
decrypted business data, how it ended (the Ret and business answer), simulated and wall time.
The ledger lives in memory and, with `--ledger path`, is also appended to a JSON Lines file as
it grows; each entry names its run, and `Ledger.load` reads back the last run unless asked for
all. So an acceptance check can compare what the simulator delivered with what the hub holds:
final status per connector, the set of StartChargeSeqs delivered, energy per community.

Secrets never reach the ledger: OperatorSecret and AccessToken values are masked.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from app.core.time import utc_now

STATION_STATUS = "notification_stationStatus"
CHARGE_ORDER = "notification_charge_order_info"
_MASKED = frozenset({"operatorsecret", "accesstoken"})


class Kind(StrEnum):
    PUSH = "push"  # simulator → hub
    ANSWER = "answer"  # hub → simulator, answered by the simulator


class Outcome(StrEnum):
    DELIVERED = "delivered"  # Ret 0, accepted (Status 0 / ConfirmResult 0)
    IGNORED = "ignored"  # Ret 0, Status 1: the hub already knew (duplicate or stale)
    DISPUTED = "disputed"  # Ret 0, ConfirmResult ≠ 0
    REFUSED = "refused"  # Ret 4004: the hub will never take it; not retried
    FAILED = "failed"  # no usable answer (hub down, busy, token…); queued for a retry
    SUPERSEDED = "superseded"  # a queued status replaced by a newer one of its connector
    ANSWERED = "answered"  # an answer to a pull, Ret 0
    REJECTED = "rejected"  # an answer to a pull, Ret ≠ 0


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    run: str  # when the simulator run that wrote it started (UTC, ISO 8601)
    seq: int  # 1, 2, … within the run
    kind: Kind
    interface: str
    outcome: Outcome
    payload: Any  # decrypted business data sent (push) or received (answer)
    ret: int | None  # the Ret of the exchange, None when no answer came
    msg: str
    result: Any  # the business answer: the hub's Data (push) or ours (answer)
    sim_time: datetime  # the simulated clock when the exchange ended
    wall_time: datetime
    # The operator time a push was stamped with (its envelope TimeStamp, which carries it to
    # the second): what the hub dates the push's statuses by. None for answers.
    stamped_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["sim_time"] = self.sim_time.isoformat()
        data["wall_time"] = self.wall_time.isoformat()
        data["stamped_at"] = self.stamped_at.isoformat() if self.stamped_at else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LedgerEntry:
        return cls(
            run=str(data.get("run", "")),
            seq=int(data["seq"]),
            kind=Kind(data["kind"]),
            interface=str(data["interface"]),
            outcome=Outcome(data["outcome"]),
            payload=data.get("payload"),
            ret=data.get("ret"),
            msg=str(data.get("msg", "")),
            result=data.get("result"),
            sim_time=datetime.fromisoformat(data["sim_time"]),
            wall_time=datetime.fromisoformat(data["wall_time"]),
            stamped_at=datetime.fromisoformat(stamped)
            if (stamped := data.get("stamped_at"))
            else None,
        )


def mask(value: Any) -> Any:
    """A copy of JSON data with secret-bearing fields masked (keys matched ignoring case)."""
    if isinstance(value, Mapping):
        return {k: ("***" if str(k).lower() in _MASKED else mask(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal | datetime):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


class Ledger:
    def __init__(self, path: Path | None = None, *, run: str | None = None) -> None:
        """In memory; with `path`, also appended to that JSON Lines file."""
        self.run = run or utc_now().isoformat()
        self._entries: list[LedgerEntry] = []
        self._file: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a", encoding="utf-8")

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[LedgerEntry]:
        return iter(self._entries)

    def record(
        self,
        *,
        kind: Kind,
        interface: str,
        outcome: Outcome,
        payload: Any,
        ret: int | None,
        msg: str = "",
        result: Any = None,
        sim_time: datetime,
        wall_time: datetime,
        stamped_at: datetime | None = None,
    ) -> LedgerEntry:
        entry = LedgerEntry(
            run=self.run,
            seq=len(self._entries) + 1,
            kind=kind,
            interface=interface,
            outcome=outcome,
            payload=mask(payload),
            ret=ret,
            msg=msg,
            result=mask(result),
            sim_time=sim_time,
            wall_time=wall_time,
            stamped_at=stamped_at,
        )
        self._entries.append(entry)
        if self._file is not None:
            line = json.dumps(entry.to_json(), ensure_ascii=False, default=_json_default)
            self._file.write(line + "\n")
            self._file.flush()
        return entry

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    @classmethod
    def load(cls, path: Path, *, every_run: bool = False) -> Ledger:
        """The ledger read back from its JSON Lines file (not attached to it): the last run
        in it, or with `every_run` all of them (then seq repeats from run to run)."""
        with path.open(encoding="utf-8") as lines:
            entries = [LedgerEntry.from_json(json.loads(line)) for line in lines if line.strip()]
        last = entries[-1].run if entries else ""
        ledger = cls(run=last)
        ledger._entries = [e for e in entries if every_run or e.run == last]
        return ledger

    # --- folds ------------------------------------------------------------------------------

    def pushes(self, interface: str, *outcomes: Outcome) -> Iterator[LedgerEntry]:
        wanted = set(outcomes)
        for entry in self._entries:
            if entry.kind is Kind.PUSH and entry.interface == interface:
                if not wanted or entry.outcome in wanted:
                    yield entry

    def final_statuses(self) -> dict[str, int]:
        """ConnectorID → the last status the hub answered Ret 0 to."""
        statuses: dict[str, int] = {}
        for entry in self.pushes(STATION_STATUS, Outcome.DELIVERED, Outcome.IGNORED):
            infos = entry.payload["ConnectorStatusInfo"]
            for info in infos if isinstance(infos, list) else [infos]:
                statuses[str(info["ConnectorID"])] = int(info["Status"])
        return statuses

    def delivered_orders(self) -> set[str]:
        """StartChargeSeqs the hub confirmed."""
        return {
            str(entry.payload["StartChargeSeq"])
            for entry in self.pushes(CHARGE_ORDER, Outcome.DELIVERED)
        }

    def energy_by_community(
        self, community_of: Mapping[str, str] | Callable[[str], str]
    ) -> dict[str, Decimal]:
        """kWh of the confirmed orders per community (each StartChargeSeq once)."""
        lookup = community_of.__getitem__ if isinstance(community_of, Mapping) else community_of
        totals: dict[str, Decimal] = {}
        seen: set[str] = set()
        for entry in self.pushes(CHARGE_ORDER, Outcome.DELIVERED):
            seq = str(entry.payload["StartChargeSeq"])
            if seq in seen:
                continue
            seen.add(seq)
            community = lookup(str(entry.payload["ConnectorID"]))
            energy = Decimal(str(entry.payload["TotalPower"]))
            totals[community] = totals.get(community, Decimal(0)) + energy
        return totals

    def counts(self) -> dict[str, dict[str, int]]:
        """interface → outcome → number of entries."""
        counts: dict[str, Counter[str]] = {}
        for entry in self._entries:
            counts.setdefault(entry.interface, Counter())[entry.outcome.value] += 1
        return {interface: dict(counter) for interface, counter in sorted(counts.items())}


def entries_json(entries: Iterable[LedgerEntry]) -> list[dict[str, Any]]:
    return [entry.to_json() for entry in entries]
