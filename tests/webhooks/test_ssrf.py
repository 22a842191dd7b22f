"""The SSRF guard refuses every internal target, however it is spelled, and lets public
https targets and allow-listed receivers through."""

from __future__ import annotations

import ipaddress

import pytest

from app.webhooks.ssrf import UnsafeTarget, vet

pytestmark = pytest.mark.asyncio(loop_scope="session")

REFUSED = [
    "http://1.1.1.1/hook",  # plain http to a public address
    "https://127.0.0.1/hook",
    "https://localhost/hook",
    "https://2130706433/hook",  # 127.0.0.1 in decimal
    "https://0x7f000001/hook",  # in hex
    "https://0177.0.0.1/hook",  # in octal
    "https://127.1/hook",  # short form
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6 loopback
    "https://[::ffff:7f00:1]/hook",  # the same, in hex groups
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://[fd00:ec2::254]/latest/meta-data/",  # AWS metadata over IPv6
    "https://100.100.100.200/latest/meta-data/",  # Alibaba Cloud metadata (shared space)
    "https://metadata.google.internal/computeMetadata/v1/",  # unresolvable here: refused
    "https://10.0.0.1/hook",
    "https://172.16.5.4/hook",
    "https://192.168.1.1/hook",
    "https://[fe80::1]/hook",  # link-local IPv6
    "https://0.0.0.0/hook",
    "https://[::]/hook",
    "https://224.0.0.1/hook",  # multicast
    "https://255.255.255.255/hook",
    "https://user:pass@1.1.1.1/hook",  # credentials in the URL
    "https://1.1.1.1@127.0.0.1/hook",  # userinfo trick: the host is 127.0.0.1
    "https://1.1.1.1:22/hook",  # not a web port
    "ftp://1.1.1.1/hook",
    "https:///hook",
    "not a url at all",
]


@pytest.mark.parametrize("url", REFUSED)
async def test_internal_or_malformed_targets_are_refused(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        await vet(url)


async def test_a_public_https_target_passes_with_its_vetted_address() -> None:
    target = await vet("https://1.1.1.1:8443/hook")
    assert target.addresses == (ipaddress.ip_address("1.1.1.1"),)


async def test_allow_listed_loopback_receivers_may_use_http_on_any_port() -> None:
    loopback = [ipaddress.ip_network("127.0.0.0/8")]
    target = await vet("http://127.0.0.1:9123/robot", allowed=loopback)
    assert target.url.port == 9123
    with pytest.raises(UnsafeTarget):  # the allow-list is not a blanket exemption
        await vet("http://10.0.0.1:9123/robot", allowed=loopback)
