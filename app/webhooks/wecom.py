"""WeCom (企业微信) group-robot messages: markdown for one alert or a digest of several, the
20-a-minute budget, and what counts as success (facts from WeCom's group-robot documentation).
Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from app.changelog.kinds import Kind
from app.core.time import LOCAL_TZ

MAX_MARKDOWN_BYTES = 4096
RATE_LIMITED = 45009  # errcode: more than 20 messages a minute
WINDOW = 60.0  # seconds

_COLOUR = {"yellow": ("warning", "黄色 yellow"), "red": ("warning", "红色 red"),
           "green": ("info", "绿色 green")}  # fmt: skip
_ACTION: dict[str, str] = {
    Kind.ALERT_OPENED: "告警 opened", Kind.ALERT_ESCALATED: "升级 escalated",
    Kind.ALERT_REOPENED: "重新打开 reopened", Kind.ALERT_ACKNOWLEDGED: "已受理 acknowledged",
    Kind.ALERT_RESOLVED: "已解决 resolved",
}  # fmt: skip
# The cause decides who goes: a comms problem is not a broken charger (app.status.colour).
CAUSE_ZH = {"offline": "离线 (通信中断)", "fault": "故障", "repeated-fault": "反复故障",
            "long-fault": "长时间故障", "maintenance": "待维修"}  # fmt: skip


def local_time(instant: datetime) -> str:
    """An instant as the robot's readers read it: Beijing time, said so."""
    return instant.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S") + " 北京时间 (UTC+8)"


def _cause(value: object) -> str:
    return CAUSE_ZH.get(str(value), str(value)) if value else ""


@dataclass(frozen=True, slots=True)
class AlertLine:
    """What a robot says about one alert event."""

    kind: str
    community: str  # the community's name (code if unknown)
    equipment_id: str
    colour: str
    cause: str  # zh-CN wording; "旧 → 新" when an escalation changed it
    since: datetime  # the instant of this change: the colour's since (or the staff action)
    link: str

    @classmethod
    def of(
        cls, kind: str, payload: Mapping[str, Any], occurred_at: datetime, *,
        names: Mapping[str, str], base_url: str,
    ) -> AlertLine:  # fmt: skip
        community = str(payload.get("community", ""))
        cause = _cause(payload.get("cause"))
        if previous := _cause(payload.get("previous_cause")):
            cause = f"{previous} → {cause}"
        return cls(
            kind=kind, community=names.get(community, community),
            equipment_id=str(payload.get("equipment_id", "")),
            colour=str(payload.get("severity", "")), cause=cause,
            since=_since(payload, occurred_at),
            link=f"{base_url.rstrip('/')}/v1/piles/{payload.get('pile_id')}",
        )  # fmt: skip

    def markdown(self) -> str:
        tone, colour = _COLOUR.get(self.colour, ("comment", self.colour))
        cause = f" 原因 {self.cause}" if self.cause else ""
        return (
            f"**{self.community}** 充电桩 {self.equipment_id} "
            f'<font color="{tone}">{colour}</font>{cause} {_ACTION.get(self.kind, self.kind)}\n'
            f"> 自 since {local_time(self.since)} · [查看 pile]({self.link})"
        )


def _since(payload: Mapping[str, Any], occurred_at: datetime) -> datetime:
    # Events logged before `since` was in the payload carry only opened_at.
    for key in ("since", "opened_at"):
        try:
            return datetime.fromisoformat(str(payload[key]))
        except (KeyError, ValueError):
            continue
    return occurred_at


def message(lines: Sequence[AlertLine]) -> tuple[bytes, int]:
    """The request body for the first lines that fit in one markdown message (one alert on
    its own, several as a digest), and how many it holds; the rest wait for the next one."""
    if len(lines) == 1:
        content = "### 充电桩告警 Pile alert\n" + lines[0].markdown()
        return _body(_clip(content)), 1
    taken: list[str] = []
    for line in lines:
        candidate = _digest(taken + [line.markdown()], len(lines))
        if taken and len(candidate.encode()) > MAX_MARKDOWN_BYTES:
            break
        taken.append(line.markdown())
    return _body(_clip(_digest(taken, len(lines)))), len(taken)


def _digest(items: list[str], pending: int) -> str:
    return f"### 充电桩告警汇总 Alert digest ({len(items)}/{pending})\n" + "\n".join(items)


def _clip(content: str) -> str:
    data = content.encode()
    if len(data) <= MAX_MARKDOWN_BYTES:
        return content
    return data[: MAX_MARKDOWN_BYTES - 3].decode(errors="ignore") + "..."


def _body(content: str) -> bytes:
    return orjson.dumps({"msgtype": "markdown", "markdown": {"content": content}})


def errcode(body: bytes) -> int | None:
    """The answer's errcode (0 is success); None when the answer is not WeCom's JSON."""
    try:
        value = orjson.loads(body).get("errcode")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def budget(send_times: Sequence[float], now: float, per_minute: int) -> tuple[list[float], float]:
    """The sends still inside the last minute, and when the next send is allowed (`now` if
    at once)."""
    recent = sorted(t for t in send_times if now - t < WINDOW)
    if len(recent) < per_minute:
        return recent, now
    return recent, recent[len(recent) - per_minute] + WINDOW
