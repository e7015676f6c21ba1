# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/srx_state/records.py: value normalisation and the record builders."""

from __future__ import annotations

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
    bgp_record,
    clean,
    first_int,
    ipsec_record,
    normalise_bgp_state,
    normalise_encryption,
    normalise_identity,
    normalise_integrity,
    parse_elapsed,
    to_as,
    to_int,
)


@pytest.mark.parametrize(
    ("printed", "short"),
    [
        ("aes-cbc-256/", "aes-cbc-256"), ("aes-cbc-256", "aes-cbc-256"),
        ("aes-cbc (256 bits)", "aes-cbc-256"), ("AES-CBC (128 bits)", "aes-cbc-128"),
        ("aes-gcm (256 bits)", "aes-gcm-256"), ("aes-256-cbc", "aes-cbc-256"),
        ("aes-128-gcm", "aes-gcm-128"), ("3des-cbc", "3des"), ("3des/", "3des"),
        ("des-cbc", "des"), ("None", None), ("-", None), ("", None), (None, None),
    ],
)
def test_normalise_encryption(printed, short):
    assert normalise_encryption(printed) == short


@pytest.mark.parametrize(
    ("printed", "short"),
    [
        ("sha256", "sha256"), ("hmac-sha256-128", "sha256"), ("hmac-sha-256-128", "sha256"),
        ("hmac-sha1-96", "sha1"), ("sha1", "sha1"), ("hmac-md5-96", "md5"),
        ("hmac-sha384-192", "sha384"), ("hmac-sha512-256", "sha512"), ("sha-256", "sha256"),
        ("aes256-gcm", "aes256-gcm"), ("None", None), ("none", None), (None, None),
    ],
)
def test_normalise_integrity(printed, short):
    assert normalise_integrity(printed) == short


@pytest.mark.parametrize(
    ("printed", "seconds"),
    [
        ("56", 56), ("1:10", 70), ("1:01:54", 3714), ("16:39:30", 59970),
        ("2d 10:00:00", 208800), ("1w2d 3:04:05", 788645), ("35w5d 23:41:41", 21685301),
        ("8w0d 12:21:04", 4882864), ("2d", 172800), (" 12:01 ", 721), (None, None),
    ],
)
def test_parse_elapsed(printed, seconds):
    assert parse_elapsed(printed) == seconds


@pytest.mark.parametrize(
    ("printed", "state"),
    [("Establ", "Established"), ("Established", "Established"), ("active", "Active"),
     ("Connect", "Connect"), ("Idle", "Idle"), ("OpenSent", "OpenSent"),
     ("openconfirm", "OpenConfirm"), ("0/0/0/0", "Established"), ("2/3/3/0 0/0/0/0", "Established")],
)
def test_normalise_bgp_state(printed, state):
    assert normalise_bgp_state(printed) == state


def test_value_helpers():
    assert clean("  x ") == "x" and clean("  ") is None and clean(None) is None
    assert to_int(" 42 ", "n") == 42 and to_int("", "n") is None
    assert to_as("1.10", "AS") == 65546 and to_as("65000", "AS") == 65000
    assert first_int("Expires in 3538 seconds", "life") == 3538
    with pytest.raises(SrxStateError, match="n must be an integer, got True"):
        to_int(True, "n")
    with pytest.raises(SrxStateError, match="n must be at least 1, got 0"):
        to_int("0", "n", minimum=1)
    with pytest.raises(ValueError, match="AS must be an integer, got 'AS100'"):
        to_as("AS100", "AS", error=ValueError)
    with pytest.raises(SrxStateError, match="life has no number"):
        first_int("Disabled?", "life")


def test_ipsec_record_normalises_every_field():
    record = ipsec_record({
        "tunnel_id": "131073", "direction": ">", "spi": "0x5B944DA", "protocol": "esp:",
        "encryption": "aes-cbc (256 bits)", "integrity": "hmac-sha256-128",
        "lifetime_seconds": "Expires in 3514 seconds", "lifetime_kb": "Unlimited",
        "remote_gateway": "1.1.1.2:500", "port": "500", "vpn_monitoring": "U", "vsys": "root",
    })
    assert record == {
        "tunnel_id": 131073, "direction": "outbound", "spi": "5b944da", "protocol": "ESP",
        "encryption": "aes-cbc-256", "integrity": "sha256", "lifetime_seconds": 3514,
        "lifetime_kb": None, "remote_gateway": "1.1.1.2", "port": 500, "vpn_monitoring": "UP",
        "vsys": "root", "traffic_selector": None, "local_identity": None, "remote_identity": None,
    }
    with pytest.raises(SrxStateError, match="SPI is not hexadecimal"):
        ipsec_record({"tunnel_id": "1", "direction": "<", "spi": "xyz"})


@pytest.mark.parametrize(("printed", "prefixes"), [
    ("ipv4_subnet(any:0,[0..7]=10.1.0.0/24)", "10.1.0.0/24"),
    ("ipv4_subnet(any:0,[0..7]=0.0.0.0/0)", "0.0.0.0/0"),
    ("ipv4(10.1.0.7)", "10.1.0.7/32"),
    ("ipv4_range(any:0,[0..7]=10.1.0.0-10.1.0.255)", "10.1.0.0/24"),
    ("ipv4_range(any:0,[0..7]=10.1.0.1-10.1.0.5)", "10.1.0.1-10.1.0.5"),
    ("list(any:0,ipv4_subnet(any:0-65535,[0..7]=0.0.0.0/1), ipv4_subnet(any:0-65535,[0..7]=128.0.0.0/1))",
     "0.0.0.0/1,128.0.0.0/1"),
    ("ipv6_subnet(any:0,[0..15]=2001:db8::/64)", "2001:db8::/64"),
    ("10.1.0.1/24", "10.1.0.0/24"),
    ("", None),
    (None, None),
])
def test_ipsec_identity_is_read_as_prefixes(printed, prefixes):
    assert normalise_identity(printed) == prefixes


def test_ipsec_record_identities_and_traffic_selector():
    record = ipsec_record({"tunnel_id": "67108866", "direction": "inbound", "traffic_selector": " TS-1 ",
                           "local_identity": "ipv4_subnet(any:0,[0..7]=10.1.0.0/24)",
                           "remote_identity": "ipv4_subnet(any:0,[0..7]=10.9.0.0/16)"})
    assert (record["traffic_selector"], record["local_identity"], record["remote_identity"]) \
        == ("TS-1", "10.1.0.0/24", "10.9.0.0/16")
    with pytest.raises(SrxStateError, match="identity is not an address, prefix or range: 'somewhere'"):
        ipsec_record({"tunnel_id": "1", "direction": "<", "local_identity": "ipv4_subnet(any:0,[0..7]=somewhere)"})


def test_bgp_record_sums_ribs_and_keeps_none_when_no_rib_counts():
    record = bgp_record({"peer_address": "10.0.1.2+179", "peer_as": "200", "state": "Establ"},
                        [{"received_prefixes": "2"}, {"received_prefixes": "3"}, {"active_prefixes": None}])
    assert (record["peer_address"], record["state"], record["received_prefixes"], record["active_prefixes"]) \
        == ("10.0.1.2", "Established", 5, None)
