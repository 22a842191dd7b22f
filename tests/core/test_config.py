"""Settings: safe defaults for the demo, refusals in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.core.config import Environment, Settings


def test_production_refuses_the_development_secret_key() -> None:
    with pytest.raises(ValidationError, match="PILEHUB_SECRET_KEY"):
        Settings(env=Environment.PRODUCTION)


def test_production_with_a_key_logs_json_and_the_demo_does_not() -> None:
    production = Settings(env=Environment.PRODUCTION, secret_key="a-long-random-production-key")
    assert production.json_logs is True
    assert Settings(env=Environment.DEVELOPMENT).json_logs is False


def test_operator_tokens_cannot_outlive_the_protocols_seven_days() -> None:
    with pytest.raises(ValidationError):
        Settings(operator_token_ttl="P8D")


def test_nested_colour_rules_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PILEHUB_COLOUR__OFFLINE_GRACE", "PT15M")
    assert Settings().colour.offline_grace.total_seconds() == 900
