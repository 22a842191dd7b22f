"""Operator onboarding shapes. Secrets go in; they never come back out."""

from __future__ import annotations

from datetime import datetime

from pydantic import AnyHttpUrl, BaseModel, Field, SecretStr, field_validator

from app.core.time import instant


class ChannelCredentials(BaseModel):
    """One direction's T/CEC credentials (S1 §4.4). Partners that use a single secret for
    both AES and HMAC simply give the same value twice."""

    operator_secret: SecretStr
    data_secret: SecretStr
    data_secret_iv: SecretStr
    sig_secret: SecretStr

    @field_validator("data_secret", "data_secret_iv")
    @classmethod
    def _aes_128(cls, value: SecretStr) -> SecretStr:
        # Keys and IVs are 16 characters used as raw UTF-8 bytes (AES-128, fixed IV).
        if len(value.get_secret_value().encode()) != 16:
            raise ValueError("must be exactly 16 bytes")
        return value

    def plain(self) -> dict[str, str]:
        return {
            "operator_secret": self.operator_secret.get_secret_value(),
            "data_secret": self.data_secret.get_secret_value(),
            "data_secret_iv": self.data_secret_iv.get_secret_value(),
            "sig_secret": self.sig_secret.get_secret_value(),
        }


class OperatorOnboard(BaseModel):
    operator_id: str = Field(pattern=r"^[0-9A-Z]{9}$", description="T/CEC OperatorID")
    name: str = Field(min_length=1, max_length=64)
    base_url: AnyHttpUrl = Field(description="The operator's interface root, e.g. .../evcs/v1/")
    inbound: ChannelCredentials = Field(description="What the operator uses to call the hub.")
    outbound: ChannelCredentials = Field(description="What the hub uses to call the operator.")
    pull_interval_seconds: int = Field(default=300, ge=10, le=86_400)


class OperatorPublic(BaseModel):
    operator_id: str
    name: str
    base_url: str
    enabled: bool
    pull_interval_seconds: int
    created_at: datetime = Field(description=instant())
    updated_at: datetime = Field(description=instant())
