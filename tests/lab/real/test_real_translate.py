"""The real backend's translation: committed Junos configuration in, swanctl.conf,
bird.conf and Linux addresses out (pure functions, no daemons)."""
from __future__ import annotations

import pathlib
import shutil
import subprocess

import pytest
from srxlab import config as C
from srxlab.real import translate as T

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"


def tree(text: str) -> C.Node:
    root = C.Node()
    errors = C.load_set(root, text)
    assert not errors, [e.message for e in errors]
    return root


def reference(name: str, *extra: str) -> C.Node:
    return tree((FIXTURES / f"{name}-reference.set").read_text() + "\n".join(extra) + "\n")


def section(conf: str, name: str) -> list[str]:
    """The stripped lines of the first block ``name {`` of a swanctl/bird text."""
    lines = conf.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == f"{name} {{")
    depth, out = 0, []
    for ln in lines[start:]:
        depth += ln.count("{") - ln.count("}")
        out.append(ln.strip())
        if depth == 0:
            return out
    raise AssertionError(f"unterminated {name}")


def test_reference_pair_initiator_side():
    conf = T.swanctl_conf(reference("srx-a"))
    gw = section(conf, "IKE-GATEWAY")
    for line in ("version = 2", "local_addrs = 1.1.1.1", "remote_addrs = 1.1.1.2",
                 "proposals = aes256-sha256-modp2048", "rekey_time = 28800s", "dpd_delay = 10s",
                 "id = 1.1.1.1", "id = 1.1.1.2"):
        assert line in gw
    child = section(conf, "IPSEC-VPN")
    for line in ("local_ts = 10.0.1.0/24,192.168.1.1/32", "remote_ts = 0.0.0.0/0",
                 "esp_proposals = aes256-sha256-modp2048", "start_action = start", "close_action = none",
                 "dpd_action = restart", "rekey_time = 3600s"):
        assert line in child
    assert "aggressive = yes" not in gw
    # IKEv2 has no dpd_timeout: DPD gives up after the retransmissions
    assert not any(ln.startswith("dpd_timeout") for ln in gw)


def test_psk_is_decoded_from_its_junos_secret():
    committed = reference("srx-a")
    stored = committed.get("security", "ike", "policy", "IKE-POLICY", "pre-shared-key", "ascii-text")
    assert stored.startswith("$9$")                      # the lab stores the key as Junos does
    secrets = section(T.swanctl_conf(committed), "ike-IKE-GATEWAY")
    assert "id-1 = 1.1.1.2" in secrets
    assert f'secret = "{T.decode_psk(stored)}"' in secrets
    assert T.decode_psk(stored) == "Juniper-lab-key-1"
    assert not any("$9$" in ln for ln in secrets)


def test_responder_side_waits_for_traffic():
    child = section(T.swanctl_conf(reference("srx-b")), "IPSEC-VPN")
    assert "start_action = none" in child      # the backend initiates it on traffic
    assert "close_action = none" in child
    assert "dpd_action = clear" in child


def test_ikev1_aggressive_proposal_set_gcm_and_proxy_identity():
    committed = tree("""
set interfaces ge-0/0/0 unit 0 family inet address 198.51.100.1/24
set security ike proposal P1 authentication-method pre-shared-keys
set security ike proposal P1 dh-group group19
set security ike proposal P1 authentication-algorithm sha-384
set security ike proposal P1 encryption-algorithm aes-256-gcm
set security ike proposal P1 lifetime-seconds 3600
set security ike policy POL mode aggressive
set security ike policy POL proposals P1
set security ike policy POL proposal-set standard
set security ike policy POL pre-shared-key hexadecimal 6b6579
set security ike gateway GW ike-policy POL
set security ike gateway GW address 203.0.113.9
set security ike gateway GW external-interface ge-0/0/0
set security ike gateway GW local-identity hostname site-a.example
set security ike gateway GW dead-peer-detection interval 20
set security ike gateway GW dead-peer-detection threshold 4
set security ipsec proposal E1 protocol esp
set security ipsec proposal E1 encryption-algorithm aes-128-gcm
set security ipsec proposal E1 lifetime-seconds 1800
set security ipsec policy IP proposals E1
set security ipsec vpn V ike gateway GW
set security ipsec vpn V ike ipsec-policy IP
set security ipsec vpn V ike proxy-identity local 10.1.0.0/16
set security ipsec vpn V ike proxy-identity remote 10.2.0.0/16
""")
    conf = T.swanctl_conf(committed)
    gw = section(conf, "GW")
    assert "version = 1" in gw                       # no `version`: Junos' default v1-only
    assert "aggressive = yes" in gw
    assert "proposals = aes256gcm16-prfsha384-ecp256,aes128-sha1-modp1024,3des-sha1-modp1024" in gw
    assert "rekey_time = 3600s" in gw
    assert "dpd_delay = 20s" in gw and "dpd_timeout = 80s" in gw
    assert "id = @site-a.example" in gw
    child = section(conf, "V")
    assert "esp_proposals = aes128gcm16" in child    # AEAD: no integrity, no PFS
    assert "local_ts = 10.1.0.0/16" in child and "remote_ts = 10.2.0.0/16" in child
    assert "rekey_time = 1800s" in child
    assert "secret = 0x6b6579" in section(conf, "ike-GW")


def test_traffic_selectors():
    # IKEv2: the st0 subnet and the device's networks (not the external one), narrowed by the peer
    committed = reference("srx-a", "set interfaces ge-0/0/1 unit 0 family inet address 10.10.0.1/24",
                          "set routing-options static route 172.16.0.0/16 discard")
    child = section(T.swanctl_conf(committed), "IPSEC-VPN")
    assert "local_ts = 10.0.1.0/24,10.10.0.0/24,172.16.0.0/16,192.168.1.1/32" in child
    assert "remote_ts = 0.0.0.0/0" in child
    # IKEv1: one selector pair, the st0 subnet
    child = section(T.swanctl_conf(reference("srx-a", "set security ike gateway IKE-GATEWAY version v1-only")),
                    "IPSEC-VPN")
    assert "local_ts = 10.0.1.0/24" in child and "remote_ts = 10.0.1.0/24" in child
    # an unnumbered or unbound VPN: the gateways' own addresses
    child = section(T.swanctl_conf(reference("srx-a", "delete interfaces st0")), "IPSEC-VPN")
    assert "local_ts = dynamic" in child and "remote_ts = dynamic" in child


def test_configured_traffic_selectors_are_the_child_lists():
    ts = "set security ipsec vpn IPSEC-VPN traffic-selector "
    lines = [f"{ts}TS-1 local-ip 10.1.0.0/24", f"{ts}TS-1 remote-ip 10.9.0.0/16",
             f"{ts}TS-2 local-ip 10.1.0.0/24", f"{ts}TS-2 remote-ip 10.0.1.0/24",
             f"{ts}TS-3 local-ip 10.0.1.1/24", f"{ts}TS-3 remote-ip 10.9.0.0/16"]
    # IKEv2: one child named as the VPN, each prefix once, in configuration order
    child = section(T.swanctl_conf(reference("srx-a", *lines)), "IPSEC-VPN")
    assert "local_ts = 10.1.0.0/24,10.0.1.0/24" in child
    assert "remote_ts = 10.9.0.0/16,10.0.1.0/24" in child
    # IKEv1 negotiates one pair: the first selector's
    child = section(T.swanctl_conf(reference("srx-a", *lines, "set security ike gateway IKE-GATEWAY version v1-only")),
                    "IPSEC-VPN")
    assert "local_ts = 10.1.0.0/24" in child and "remote_ts = 10.9.0.0/16" in child
    # a proxy-identity side left out is 0.0.0.0/0, as on Junos
    child = section(T.swanctl_conf(reference(
        "srx-a", "set security ipsec vpn IPSEC-VPN ike proxy-identity local 10.0.1.0/24")), "IPSEC-VPN")
    assert "local_ts = 10.0.1.0/24" in child and "remote_ts = 0.0.0.0/0" in child


def test_pfs_group_joins_the_esp_proposal():
    committed = reference("srx-a", "set security ipsec policy IPSEC-POLICY perfect-forward-secrecy keys group19")
    assert "esp_proposals = aes256-sha256-ecp256" in section(T.swanctl_conf(committed), "IPSEC-VPN")
    committed = reference("srx-a", "delete security ipsec policy IPSEC-POLICY perfect-forward-secrecy")
    assert "esp_proposals = aes256-sha256" in section(T.swanctl_conf(committed), "IPSEC-VPN")


def test_gateway_without_usable_policy_or_address_is_left_out():
    committed = reference("srx-a", "delete interfaces ge-0/0/0")
    assert "IKE-GATEWAY {" not in T.swanctl_conf(committed)
    assert T.connections(tree("set system host-name x")) == []


def test_algorithm_without_strongswan_equivalent_is_an_error():
    with pytest.raises(T.TranslationError, match="no strongSwan equivalent"):
        T.ike_proposal("group14", "sha-256", "aes-256-ctr")
    with pytest.raises(T.TranslationError, match="perfect-forward-secrecy keys group99"):
        T.esp_proposal("aes-256-cbc", "hmac-sha-256-128", "group99")


def test_interfaces_map_to_linux_names():
    assert T.linux_ifname("ge-0/0/0.0") == "ge-0-0-0"
    assert T.linux_ifname("st0.12") == "st0.12"
    assert T.linux_ifname("lo0.0") == "lo0"
    assert T.linux_addresses(reference("srx-a")) == {
        "ge-0-0-0": ["1.1.1.1/24"], "lo0": ["192.168.1.1/32"], "st0.0": ["10.0.1.1/24"]}
    disabled = reference("srx-a", "set interfaces lo0 disable")
    assert "lo0" not in T.linux_addresses(disabled)
    # several addresses on a port: numeric order, by subnet then host (the primary comes first)
    more = reference("srx-a", "set interfaces ge-0/0/0 unit 0 family inet address 1.1.1.10/24",
                     "set interfaces ge-0/0/0 unit 0 family inet address 1.1.1.2/24",
                     "set interfaces ge-0/0/0 unit 0 family inet address 1.1.1.1/32")
    assert T.linux_addresses(more)["ge-0-0-0"] == ["1.1.1.1/24", "1.1.1.2/24", "1.1.1.10/24", "1.1.1.1/32"]


def test_bird_reference_pair():
    conf = T.bird_conf(reference("srx-a"))
    assert "router id 192.168.1.1;" in conf
    assert 'protocol direct { ipv4; interface "ge-0-0-0", "lo0", "st0.0"; }' in conf
    bgp = section(conf, "protocol bgp bgp_10_0_1_2")
    assert "local 10.0.1.1 as 100;" in bgp
    assert "neighbor 10.0.1.2 as 200;" in bgp
    assert "hold time 90;" in bgp
    assert "ipv4 { import all; export filter export_0; };" in bgp
    flt = section(conf, "filter export_0")
    assert flt[1:] == ['if (ifname = "lo0") then accept;', "if source = RTS_BGP then accept;", "reject;", "}"]


def test_bird_export_policy_terms():
    committed = tree("""
set interfaces ge-0/0/0 unit 0 family inet address 1.1.1.1/24
set interfaces st0 unit 1 family inet address 10.0.9.1/30
set routing-options autonomous-system 65001
set routing-options static route 172.16.0.0/16 discard
set policy-options prefix-list LANS 172.16.0.0/16
set policy-options policy-statement OUT term deny-host from route-filter 172.16.5.0/24 exact
set policy-options policy-statement OUT term deny-host then reject
set policy-options policy-statement OUT term lans from protocol static
set policy-options policy-statement OUT term lans from prefix-list LANS
set policy-options policy-statement OUT term lans then accept
set policy-options policy-statement OUT term more from route-filter 10.0.0.0/8 orlonger
set policy-options policy-statement OUT term more then accept
set policy-options policy-statement OUT term sub from route-filter 192.168.0.0/16 longer
set policy-options policy-statement OUT term sub then accept
set protocols bgp group IBGP type internal
set protocols bgp group IBGP local-address 10.0.9.1
set protocols bgp group IBGP export OUT
set protocols bgp group IBGP neighbor 10.0.9.2 peer-as 65001
""")
    conf = T.bird_conf(committed)
    assert "router id 1.1.1.1;" in conf                # no router-id, no lo0: the first address
    assert "route 172.16.0.0/16 blackhole;" in conf
    assert "local 10.0.9.1 as 65001;" in conf and "neighbor 10.0.9.2 as 65001;" in conf
    flt = section(conf, "filter export_0")
    assert flt[1:5] == [
        "if net ~ [ 172.16.5.0/24 ] then reject;",
        "if (source = RTS_STATIC) && net ~ [ 172.16.0.0/16 ] then accept;",
        "if net ~ [ 10.0.0.0/8+ ] then accept;",
        "if net ~ [ 192.168.0.0/16{17,32} ] then accept;",
    ]


def test_ipv6_routes_and_filters_stay_out_of_the_ipv4_translation():
    committed = reference("srx-a", "set routing-options static route 2001:db8::/32 discard",
                          "set routing-options static route 172.16.0.1/16 discard",
                          "set policy-options policy-statement V6 term t from route-filter 2001:db8::/32 orlonger",
                          "set policy-options policy-statement V6 term t from route-filter 10.0.0.1/8 exact",
                          "set policy-options policy-statement V6 term t then accept",
                          "set protocols bgp group EBGP export V6")
    assert T.own_prefixes(committed, {"ge-0/0/0.0"}) == ["172.16.0.0/16", "192.168.1.1/32"]
    assert "if net ~ [ 10.0.0.0/8 ] then accept;" in section(T.bird_conf(committed), "filter export_0")


def test_neighbor_without_as_numbers_is_left_out():
    committed = reference("srx-a", "delete routing-options autonomous-system")
    assert "protocol bgp" not in T.bird_conf(committed)


@pytest.mark.parametrize("name", ["srx-a", "srx-b"])
def test_bird_accepts_the_generated_configuration(tmp_path, name):
    """BIRD itself parses what the translation writes (`bird -p`: parse and exit)."""
    bird = shutil.which("bird")
    assert bird, "bird2 is not installed (scripts/install-real-backend)"
    extra = ["set routing-options static route 172.16.0.0/16 discard",
             "set policy-options policy-statement EXPORT-LO term st from route-filter 10.0.0.0/8 longer",
             "set policy-options policy-statement EXPORT-LO term st then reject"]
    path = tmp_path / "bird.conf"
    path.write_text(T.bird_conf(reference(name, *extra)))
    proc = subprocess.run([bird, "-p", "-c", str(path)], check=False, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr + proc.stdout
