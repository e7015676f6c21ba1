"""A good fleet intent and the table of bad ones (one bad field each), shared by
``test_bad_intents.py`` (every case through ``intent.build_plans``), ``test_intent_rules.py``
and the playbook-level pre-flight tests.

A case is ``(id, mutate, where_field, fragment)``: ``mutate(intent)`` edits a deep copy of
:data:`BASE` (keys ``devices``, ``tunnels``, ``psks``, ``profiles``, ``host_vars``); the
pre-flight must report a problem starting with ``where_field`` (``<where>: <field path>``)
that contains ``fragment``.
"""
from __future__ import annotations

import copy

KEY_AB = "a-long-enough-lab-key"
KEY_AC = "another-long-lab-key"

BASE = {
    "devices": {
        "srx-a": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.1/24", "asn": 100,
                  "loopback": "192.168.1.1/32", "lan_prefixes": ["10.10.0.0/24"],
                  "zones": {"untrust": "UNTRUST", "vpn": "VPN", "trust": "TRUST"}},
        "srx-b": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.2/24", "asn": 200,
                  "loopback": "192.168.2.2/32", "lan_prefixes": ["10.20.0.0/24"],
                  "zones": {"untrust": "UNTRUST", "vpn": "VPN", "trust": "TRUST"}},
        "srx-c": {"external_interface": "ge-0/0/0.0", "external_address": "1.1.1.3/24", "asn": 300},
    },
    "tunnels": [
        {"name": "a-b", "ends": [{"device": "srx-a", "st0_unit": 0, "address": "10.0.1.1/24"},
                                 {"device": "srx-b", "st0_unit": 0, "address": "10.0.1.2/24"}],
         "ike": {"version": "v2", "profile": "default", "dpd": {"interval": 10, "threshold": 3}},
         "ipsec": {"profile": "default", "pfs_group": "group14", "establish_tunnels": "immediately"},
         "bgp": {"enabled": True}},
        {"name": "a-c", "ends": [{"device": "srx-a", "st0_unit": 1, "address": "10.0.2.1/30"},
                                 {"device": "srx-c", "st0_unit": 0, "address": "10.0.2.2/30"}]},
    ],
    "psks": {"a-b": KEY_AB, "a-c": KEY_AC},
    "profiles": {"gold": {"ike": {"dh_group": "group19", "authentication_algorithm": "sha-256",
                                  "encryption_algorithm": "aes-256-cbc"},
                          "ipsec": {"encryption_algorithm": "aes-256-gcm"}, "pfs_group": "group19"}},
    "host_vars": {"srx-a": {"srx_vpn_confirm_minutes": 5}, "srx-b": {"srx_vpn_confirm_minutes": 5},
                  "srx-c": {"srx_vpn_confirm_minutes": 5}},
}


def base() -> dict:
    return copy.deepcopy(BASE)


def build(intent_module, data: dict):
    return intent_module.build_plans(data["devices"], data["tunnels"], data["psks"], data["profiles"],
                                     data["host_vars"])


class _Delete:
    def __repr__(self):
        return "DELETE"


DELETE = _Delete()


def put(path: tuple, value):
    """A mutation setting ``path`` (keys and indexes from the top of the intent) to ``value``
    (DELETE removes it), creating missing mappings on the way."""
    def mutate(data: dict) -> None:
        target = data
        for key in path[:-1]:
            if isinstance(target, dict) and key not in target:
                target[key] = {}
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = copy.deepcopy(value)
    return mutate


def do(*mutations):
    def mutate(data: dict) -> None:
        for m in mutations:
            m(data)
    return mutate


def host_var(name: str, value, hosts=("srx-a", "srx-b", "srx-c")):
    def mutate(data: dict) -> None:
        for h in hosts:
            data["host_vars"][h][name] = value
    return mutate


A = ("devices", "srx-a")
B = ("devices", "srx-b")
T0 = ("tunnels", 0)
T1 = ("tunnels", 1)
E0 = (*T0, "ends", 0)
E1 = (*T0, "ends", 1)
IKE = (*T0, "ike")
IPSEC = (*T0, "ipsec")
GOLD = ("profiles", "gold")
INJECT = 'x"\nset system login message "INJECTED"'
CUSTOM_IKE = {"dh_group": "group14", "authentication_algorithm": "sha-256", "encryption_algorithm": "aes-256-cbc"}
CUSTOM_IPSEC = {"encryption_algorithm": "aes-256-cbc", "authentication_algorithm": "hmac-sha-256-128"}


def _ike(**proposal):
    return put(IKE, {"version": "v2", "proposal": {**CUSTOM_IKE, **proposal}})


def _ipsec(**proposal):
    return put(IPSEC, {"proposal": {**CUSTOM_IPSEC, **proposal}})


def _dup_tunnel(name):
    def mutate(data):
        t = copy.deepcopy(data["tunnels"][0])
        t["name"] = name
        t["ends"][0].update(st0_unit=5, address="10.0.9.1/24")
        t["ends"][1].update(st0_unit=5, address="10.0.9.2/24")
        data["tunnels"].append(t)
        data["psks"][name] = KEY_AB
    return mutate


# An external peer (not in the inventory) as a-c's second end, and a second uplink on srx-a.
PEER_END = {"address": "10.0.2.2/30", "peer": {"name": "cloud-1", "gateway": "3.3.3.3", "asn": 64512}}
ISP2 = {"name": "isp2", "interface": "ge-0/0/2.0", "address": "2.2.2.1/24"}
DEFAULT_IKE = {"dh_group": "group14", "authentication_algorithm": "sha-256", "encryption_algorithm": "aes-256-cbc"}


def _external(**peer):
    fields = {k: v for k, v in {**PEER_END["peer"], **peer}.items() if v is not DELETE}
    return put((*T1, "ends", 1), {**PEER_END, "peer": fields})


NO_BGP = put((*T0, "bgp"), {"enabled": False})


def _selectors(a, b):
    return do(put((*E0, "selectors"), a), put((*E1, "selectors"), b))


W_A, W_B, W_C = "device 'srx-a'", "device 'srx-b'", "device 'srx-c'"
W_T, W_T1 = "tunnel 'a-b'", "tunnel 'a-c'"

CASES = [
    # --- the shapes of the variables (user-facing names, never the roles' plan_* ones) -----------
    ("tunnels-not-a-list", put(("tunnels",), "a-b"), "srx_vpn_tunnels: must be a list of tunnels", "'a-b'"),
    ("tunnels-a-mapping", put(("tunnels",), {"a-b": {}}), "srx_vpn_tunnels: must be a list of tunnels", "mapping"),
    ("tunnel-entry-a-string", put(T0, "a-b"), "srx_vpn_tunnels[0]: must be a mapping", "'a-b'"),
    ("tunnel-entry-null", put(T0, None), "srx_vpn_tunnels[0]: must be a mapping", "null"),
    ("psks-not-a-mapping", put(("psks",), ["a-b"]), "srx_vpn_psks: must be a mapping", "a list"),
    ("psks-a-string", put(("psks",), "a-long-enough-lab-key"), "srx_vpn_psks: must be a mapping", ""),
    ("profiles-not-a-mapping", put(("profiles",), ["gold"]), "srx_vpn_profiles: must be a mapping", "a list"),
    ("device-var-missing", put(("devices", "srx-c"), None), f"{W_C}: srx_vpn_device: missing", "host_vars"),
    ("device-var-a-list", put(("devices", "srx-c"), ["x"]), f"{W_C}: srx_vpn_device: must be a mapping", "a list"),
    ("device-name-with-space", lambda d: d["devices"].update({"srx c": d["devices"].pop("srx-c")}),
     "device 'srx c': inventory host name", "invalid device name"),
    ("tunnel-name-missing", put((*T1, "name"), DELETE), "srx_vpn_tunnels[1]: name: missing", ""),
    ("tunnel-name-not-a-string", put((*T1, "name"), 7), "srx_vpn_tunnels[1]: name: must be a string", ""),
    # --- device fields ---------------------------------------------------------------------------
    ("device-unknown-field", put((*A, "asnumber"), 1), f"{W_A}: asnumber: unknown field", "did you mean 'asn'"),
    ("device-unknown-field-typo", put((*A, "loopbak"), "1.2.3.4/32"), f"{W_A}: loopbak: unknown field",
     "did you mean 'loopback'"),
    ("ext-interface-missing", put((*A, "external_interface"), DELETE), f"{W_A}: external_interface: missing", ""),
    ("ext-interface-trailing-newline", put((*A, "external_interface"), "ge-0/0/0.0\n"),
     f"{W_A}: external_interface: invalid value", "logical interface"),
    ("ext-interface-space", put((*A, "external_interface"), "ge-0/0/0.0 foo"), f"{W_A}: external_interface:", ""),
    ("ext-interface-st0", put((*A, "external_interface"), "st0.0"), f"{W_A}: external_interface:", ""),
    ("ext-interface-int", put((*A, "external_interface"), 5), f"{W_A}: external_interface: must be a string", ""),
    ("ext-interface-semicolon", put((*A, "external_interface"), "ge-0/0/0.0;delete"),
     f"{W_A}: external_interface:", ""),
    ("ext-address-missing", put((*A, "external_address"), DELETE), f"{W_A}: external_address: missing", ""),
    ("ext-address-no-prefix", put((*A, "external_address"), "1.1.1.1"),
     f"{W_A}: external_address: invalid address '1.1.1.1'", ""),
    ("ext-address-len-33", put((*A, "external_address"), "1.1.1.1/33"), f"{W_A}: external_address: invalid", ""),
    ("ext-address-newline", put((*A, "external_address"), "1.1.1.1/24\n"), f"{W_A}: external_address: invalid", ""),
    ("ext-address-network", put((*A, "external_address"), "1.1.1.0/24"), f"{W_A}: external_address:",
     "network address"),
    ("ext-address-broadcast", put((*A, "external_address"), "1.1.1.255/24"), f"{W_A}: external_address:",
     "broadcast address"),
    ("ext-address-twice", put((*B, "external_address"), "1.1.1.1/24"), f"{W_B}: external_address:",
     "also the external address of device 'srx-a'"),
    ("ext-address-ipv6", put((*A, "external_address"), "2001:db8::1/64"), f"{W_A}: external_address: invalid", ""),
    ("public-address-with-prefix", put((*A, "public_address"), "1.1.1.1/32"), f"{W_A}: public_address: invalid",
     ""),
    ("public-address-twice", put((*B, "public_address"), "1.1.1.1"), f"{W_B}: public_address:",
     "also the public address"),
    ("asn-text", put((*A, "asn"), "AS100"), f"{W_A}: asn: must be an integer", "'AS100'"),
    ("asn-digits-string", put((*A, "asn"), "100"), f"{W_A}: asn: must be an integer", "'100'"),
    ("asn-bool", put((*A, "asn"), True), f"{W_A}: asn: must be an integer", "true"),
    ("asn-zero", put((*A, "asn"), 0), f"{W_A}: asn: must be an integer from 1 to 4294967295", "got 0"),
    ("asn-too-big", put((*A, "asn"), 4294967296), f"{W_A}: asn: must be an integer", "4294967296"),
    ("asn-float", put((*A, "asn"), 100.5), f"{W_A}: asn: must be an integer", "100.5"),
    ("loopback-not-32", put((*A, "loopback"), "192.168.1.1/24"), f"{W_A}: loopback: must be a /32", ""),
    ("loopback-twice", put((*B, "loopback"), "192.168.1.1/32"), f"{W_B}: loopback:",
     "also the loopback of device 'srx-a'"),
    ("loopback-in-external-subnet", put((*A, "loopback"), "1.1.1.9/32"), f"{W_A}: loopback:",
     "inside the external subnet"),
    ("loopback-invalid", put((*A, "loopback"), "192.168.1.300/32"), f"{W_A}: loopback: invalid address", ""),
    ("router-id-with-prefix", put((*A, "router_id"), "1.2.3.4/32"), f"{W_A}: router_id: invalid address", ""),
    ("router-id-twice", put((*B, "router_id"), "192.168.1.1"), f"{W_B}: router_id:", "also the router-id"),
    ("advertise-not-a-list", put((*A, "advertise"), "10.0.0.0/8"), f"{W_A}: advertise: must be a list", ""),
    ("advertise-host-bits", put((*A, "advertise"), ["10.0.0.1/24"]), f"{W_A}: advertise[0]: invalid address",
     "host bits"),
    ("lan-host-bits", put((*A, "lan_prefixes"), ["10.10.0.1/24"]), f"{W_A}: lan_prefixes[0]: invalid", ""),
    ("lan-overlap-on-device", put((*A, "lan_prefixes"), ["10.10.0.0/24", "10.10.0.0/16"]),
     f"{W_A}: lan_prefixes[1]:", "overlaps lan_prefixes[0]"),
    ("lan-overlap-across-devices", put((*B, "lan_prefixes"), ["10.10.0.0/25"]), f"{W_B}: lan_prefixes[0]:",
     "of device 'srx-a'"),
    ("lan-overlap-external", put((*A, "lan_prefixes"), ["1.1.0.0/16"]), f"{W_A}: lan_prefixes[0]:",
     "external subnet"),
    ("lan-item-int", put((*A, "lan_prefixes"), [10]), f"{W_A}: lan_prefixes[0]: must be a string", ""),
    ("zones-not-a-mapping", put((*A, "zones"), "VPN"), f"{W_A}: zones: must be a mapping", ""),
    ("zones-unknown-role", put((*A, "zones", "dmz"), "DMZ"), f"{W_A}: zones.dmz: unknown field", ""),
    ("zones-vpn-is-untrust-with-trust", put((*A, "zones", "vpn"), "UNTRUST"), f"{W_A}: zones.trust:",
     "the shared VPN zone 'UNTRUST' would also admit traffic"),
    ("zones-vpn-is-untrust-not-shared", do(put((*A, "zones", "vpn"), "UNTRUST"), put((*A, "zones", "trust"), DELETE),
                                           put((*A, "zones", "vpn_shared"), False)),
     f"{W_A}: zones.vpn_shared:", "also zones.untrust, which holds the external interface"),
    ("zones-shared-with-trust", put((*A, "zones", "vpn_shared"), True), f"{W_A}: zones.trust:",
     "shared VPN zone 'VPN'"),
    ("zones-shared-string", put((*A, "zones", "vpn_shared"), "yes"), f"{W_A}: zones.vpn_shared: must be true or false",
     ""),
    ("zones-vpn-is-trust", put((*A, "zones", "vpn"), "TRUST"), f"{W_A}: zones.vpn:", "also zones.trust"),
    ("zones-trust-is-untrust", put((*A, "zones", "trust"), "UNTRUST"), f"{W_A}: zones.trust:", "also zones.untrust"),
    ("zone-name-space", put((*A, "zones", "vpn"), "MY VPN"), f"{W_A}: zones.vpn: invalid value", ""),
    ("zone-name-newline", put((*A, "zones", "untrust"), "UNTRUST\n"), f"{W_A}: zones.untrust: invalid value", ""),
    ("zone-name-reserved", put((*A, "zones", "vpn"), "junos-host"), f"{W_A}: zones.vpn: invalid value", "junos-"),
    ("zone-name-too-long", put((*A, "zones", "vpn"), "Z" * 64), f"{W_A}: zones.vpn:", "longer than 63"),
    ("zone-name-int", put((*A, "zones", "trust"), 5), f"{W_A}: zones.trust: must be a string", ""),
    # --- tunnel fields ---------------------------------------------------------------------------
    ("name-space", put((*T1, "name"), "a c"), "tunnel 'a c': name: invalid value", ""),
    ("name-trailing-newline", put((*T1, "name"), "a-c\n"), "tunnel 'a-c\\n': name: invalid value", ""),
    ("name-injected-line", put((*T1, "name"), "a-c\ndelete security"),
     "tunnel 'a-c\\ndelete security': name: invalid value", ""),
    ("name-too-long", put((*T1, "name"), "t" * 22), f"tunnel '{'t' * 22}': name:", "longer than 21"),
    ("name-leading-dash", put((*T1, "name"), "-ac"), "tunnel '-ac': name: invalid value", ""),
    ("name-twice", _dup_tunnel("a-b"), W_T + ": name: used by another tunnel", ""),
    ("name-case-only", _dup_tunnel("A-B"), "tunnel 'A-B': name: collides with tunnel 'a-b'", "upper case"),
    ("tunnel-unknown-field", put((*T0, "psk"), "x"), f"{W_T}: psk: unknown field", ""),
    ("tunnel-unknown-field-typo", put((*T0, "descripton"), "x"), f"{W_T}: descripton: unknown field",
     "did you mean 'description'"),
    ("description-injection", put((*T0, "description"), INJECT), f"{W_T}: description: invalid value", ""),
    ("description-quote", put((*T0, "description"), 'say "hi'), f"{W_T}: description: invalid value", ""),
    ("description-backslash", put((*T0, "description"), "a\\b"), f"{W_T}: description: invalid value", ""),
    ("description-control", put((*T0, "description"), "a\tb"), f"{W_T}: description: invalid value", ""),
    ("description-non-ascii", put((*T0, "description"), "caf\u00e9"), f"{W_T}: description: invalid value", ""),
    ("description-line-separator", put((*T0, "description"), "a\u2028set x"), f"{W_T}: description: invalid", ""),
    ("description-too-long", put((*T0, "description"), "d" * 129), f"{W_T}: description:", "longer than 128"),
    ("description-int", put((*T0, "description"), 5), f"{W_T}: description: must be a string", ""),
    ("state-unknown", put((*T0, "state"), "removed"), f"{W_T}: state: 'removed' is not one of present, absent", ""),
    ("state-bool", put((*T0, "state"), True), f"{W_T}: state: must be one of present, absent", "true"),
    ("ends-missing", put((*T0, "ends"), DELETE), f"{W_T}: ends: missing", ""),
    ("ends-one", lambda d: d["tunnels"][0]["ends"].pop(), f"{W_T}: ends: a tunnel has exactly two ends, got 1", ""),
    ("ends-three", lambda d: d["tunnels"][0]["ends"].append(dict(d["tunnels"][0]["ends"][0])),
     f"{W_T}: ends: a tunnel has exactly two ends, got 3", ""),
    ("ends-a-mapping", put((*T0, "ends"), {"srx-a": {}}), f"{W_T}: ends: must be a list", ""),
    ("end-a-string", put(E1, "srx-b"), f"{W_T}: ends[1]: must be a mapping", ""),
    ("end-unknown-field", put((*E1, "gateway"), "1.1.1.1"), f"{W_T}: ends[1].gateway: unknown field", ""),
    ("end-device-unknown", put((*E1, "device"), "srx-bb"), f"{W_T}: ends[1].device: unknown device 'srx-bb'",
     "did you mean 'srx-b'"),
    ("end-device-not-a-string", put((*E1, "device"), 2), f"{W_T}: ends[1].device: must be a string", ""),
    ("ends-same-device", put((*E1, "device"), "srx-a"), f"{W_T}: ends: both ends are on the same device", ""),
    ("st0-unit-string", put((*E0, "st0_unit"), "0"), f"{W_T}: ends[0].st0_unit: must be an integer", "'0'"),
    ("st0-unit-negative", put((*E0, "st0_unit"), -1), f"{W_T}: ends[0].st0_unit: must be an integer from 0", ""),
    ("st0-unit-too-big", put((*E0, "st0_unit"), 16386), f"{W_T}: ends[0].st0_unit:", "16386"),
    ("st0-unit-bool", put((*E0, "st0_unit"), True), f"{W_T}: ends[0].st0_unit: must be an integer", "true"),
    ("st0-unit-twice", put((*T1, "ends", 0, "st0_unit"), 0), f"{W_T1}: ends[0].st0_unit:",
     "already used by tunnel 'a-b'"),
    ("address-invalid", put((*E1, "address"), "10.0.1.300/24"), f"{W_T}: ends[1].address: invalid address", ""),
    ("address-missing", put((*E1, "address"), DELETE), f"{W_T}: ends[1].address: missing", ""),
    ("ends-other-subnets", put((*E1, "address"), "10.0.3.2/24"), f"{W_T}: ends[1].address:",
     "is not in the subnet of ends[0].address"),
    ("ends-same-address", put((*E1, "address"), "10.0.1.1/24"), f"{W_T}: ends[1].address: both ends", ""),
    ("end-network-address", put((*E1, "address"), "10.0.1.0/24"), f"{W_T}: ends:", "network or broadcast"),
    ("tunnel-subnets-overlap", do(put((*T1, "ends", 0, "address"), "10.0.1.5/30"),
                                  put((*T1, "ends", 1, "address"), "10.0.1.6/30")),
     f"{W_T1}: ends[0].address:", "overlaps tunnel 'a-b'"),
    ("st0-overlaps-external", do(put((*E0, "address"), "1.1.1.101/24"), put((*E1, "address"), "1.1.1.102/24")),
     f"{W_T}: ends[0].address:", "external subnet of device 'srx-a'"),
    ("st0-is-loopback", do(put((*E0, "address"), "192.168.1.1/30"), put((*E1, "address"), "192.168.1.2/30")),
     f"{W_T}: ends[0].address:", "loopback of device 'srx-a'"),
    ("st0-overlaps-lan", do(put((*E0, "address"), "10.20.0.1/30"), put((*E1, "address"), "10.20.0.2/30")),
     f"{W_T}: ends[0].address:", "lan_prefixes[0] of device 'srx-b'"),
    ("remote-gateway-wrong", put((*E0, "remote_gateway"), "1.1.1.9"), f"{W_T}: ends[0].remote_gateway:",
     "not the public address of srx-b"),
    ("remote-gateway-prefix", put((*E0, "remote_gateway"), "1.1.1.2/24"), f"{W_T}: ends[0].remote_gateway: invalid",
     ""),
    ("bgp-not-a-mapping", put((*T0, "bgp"), True), f"{W_T}: bgp: must be a mapping", ""),
    ("bgp-enabled-string", put((*T0, "bgp", "enabled"), "false"), f"{W_T}: bgp.enabled: must be true or false",
     "'false'"),
    ("bgp-unknown-key", put((*T0, "bgp", "bdf"), True), f"{W_T}: bgp.bdf: unknown field", "did you mean 'bfd'"),
    ("bgp-bfd-string", put((*T0, "bgp", "bfd"), "yes"), f"{W_T}: bgp.bfd: must be true or false", ""),
    ("ebgp-same-as", put((*B, "asn"), 100), f"{W_T}: bgp: eBGP needs different AS numbers", ""),
    ("weak-ok-string", put((*T0, "allow_weak_crypto"), "true"), f"{W_T}: allow_weak_crypto: must be true or false",
     ""),
    ("legacy-not-a-mapping", put((*T0, "legacy"), True), f"{W_T}: legacy: must be a mapping", ""),
    ("legacy-unknown-key", put((*T0, "legacy", "short_key"), True), f"{W_T}: legacy.short_key: unknown field",
     "did you mean 'short_psk'"),
    ("legacy-short-psk-string", put((*T0, "legacy", "short_psk"), "true"),
     f"{W_T}: legacy.short_psk: must be true or false", ""),
    ("legacy-and-allow-weak-crypto", do(put((*T0, "legacy"), {"weak_crypto": True}),
                                        put((*T0, "allow_weak_crypto"), True)),
     f"{W_T}:", "give either legacy or allow_weak_crypto, not both"),
    ("legacy-weak-does-not-allow-short-psk", do(put((*T0, "legacy"), {"weak_crypto": True}),
                                                put(("psks", "a-b"), "short-key")),
     f"{W_T}: psk: pre-shared key is shorter than 16", "legacy: {short_psk: true}"),
    ("legacy-short-psk-does-not-allow-weak", do(put((*T0, "legacy"), {"short_psk": True}),
                                                put((*IKE, "mode"), "aggressive"), put((*IKE, "version"), "v1")),
     f"{W_T}: ike.mode: aggressive mode", "legacy: {weak_crypto: true}"),
    # --- ike ---------------------------------------------------------------------------------------
    ("ike-not-a-mapping", put(IKE, "v2"), f"{W_T}: ike: must be a mapping", ""),
    ("ike-unknown-key", put((*IKE, "versoin"), "v2"), f"{W_T}: ike.versoin: unknown field", "did you mean"),
    ("ike-version-v3", put((*IKE, "version"), "v3"), f"{W_T}: ike.version: 'v3' is not one of v1, v2", ""),
    ("ike-version-int", put((*IKE, "version"), 2), f"{W_T}: ike.version: must be one of v1, v2", ""),
    ("ike-mode-on-v2", put((*IKE, "mode"), "main"), f"{W_T}: ike.mode: applies to IKEv1 only", ""),
    ("ike-mode-unknown", do(put((*IKE, "version"), "v1"), put((*IKE, "mode"), "quick")),
     f"{W_T}: ike.mode: 'quick' is not one of", ""),
    ("ike-aggressive-with-psk", do(put((*IKE, "version"), "v1"), put((*IKE, "mode"), "aggressive")),
     f"{W_T}: ike.mode: aggressive mode with a pre-shared key", "weak"),
    ("ike-profile-unknown", put((*IKE, "profile"), "golden"), f"{W_T}: ike.profile: unknown crypto profile 'golden'",
     "did you mean 'gold'"),
    ("ike-profile-newline", put((*IKE, "profile"), "gold\nDELETE SECURITY"), f"{W_T}: ike.profile: invalid value",
     ""),
    ("ike-profile-space", put((*IKE, "profile"), "MY PROF"), f"{W_T}: ike.profile: invalid value", ""),
    ("ike-profile-and-proposal", put((*IKE, "proposal"), CUSTOM_IKE), f"{W_T}: ike.profile: give either profile",
     "not both"),
    ("ike-proposal-unknown-key", _ike(dh_grup="group14"), f"{W_T}: ike.proposal.dh_grup: unknown field",
     "did you mean 'dh_group'"),
    ("ike-proposal-dh-missing", put(IKE, {"proposal": {"encryption_algorithm": "aes-256-cbc",
                                                       "authentication_algorithm": "sha-256"}}),
     f"{W_T}: ike.proposal.dh_group: missing", ""),
    ("ike-proposal-dh-unknown", _ike(dh_group="group99"), f"{W_T}: ike.proposal.dh_group: 'group99' is not one of",
     ""),
    ("ike-proposal-des", _ike(encryption_algorithm="des-cbc"), f"{W_T}: ike.proposal.encryption_algorithm:",
     "weak crypto"),
    ("ike-proposal-md5", _ike(authentication_algorithm="md5"), f"{W_T}: ike.proposal.authentication_algorithm:",
     "weak crypto"),
    ("ike-proposal-group2", _ike(dh_group="group2"), f"{W_T}: ike.proposal.dh_group: group2 is weak crypto", ""),
    ("ike-proposal-no-integrity",
     put(IKE, {"proposal": {"dh_group": "group14", "encryption_algorithm": "aes-256-cbc"}}),
     f"{W_T}: ike.proposal.authentication_algorithm: missing", ""),
    ("ike-gcm-on-v1", do(_ike(encryption_algorithm="aes-256-gcm"), put((*IKE, "version"), "v1")),
     f"{W_T}: ike.proposal.encryption_algorithm:", "needs IKEv2"),
    ("ike-lifetime-short", _ike(lifetime_seconds=100), f"{W_T}: ike.proposal.lifetime_seconds:", "180 to 86400"),
    ("ike-lifetime-string", _ike(lifetime_seconds="3600"), f"{W_T}: ike.proposal.lifetime_seconds: must be an integer",
     ""),
    ("dpd-not-a-mapping", put((*IKE, "dpd"), 10), f"{W_T}: ike.dpd: must be a mapping", ""),
    ("dpd-threshold-bool", put((*IKE, "dpd", "threshold"), True), f"{W_T}: ike.dpd.threshold: must be an integer",
     "true"),
    ("dpd-interval-zero", put((*IKE, "dpd", "interval"), 0), f"{W_T}: ike.dpd.interval: must be an integer from 2",
     ""),
    ("dpd-unknown-key", put((*IKE, "dpd", "intervall"), 10), f"{W_T}: ike.dpd.intervall: unknown field",
     "did you mean 'interval'"),
    ("nat-keepalive-bool", put((*IKE, "nat_keepalive"), True), f"{W_T}: ike.nat_keepalive: must be an integer",
     "true"),
    ("nat-keepalive-too-big", put((*IKE, "nat_keepalive"), 301), f"{W_T}: ike.nat_keepalive:", "301"),
    ("nat-traversal-string", put((*IKE, "nat_traversal"), "false"), (f"{W_T}: ike.nat_traversal: must be true or "
     "false"), "'false'"),
    ("nat-keepalive-without-nat-t", do(put((*IKE, "nat_keepalive"), 10), put((*IKE, "nat_traversal"), False)),
     f"{W_T}: ike.nat_keepalive: needs NAT traversal", ""),
    # --- ipsec -------------------------------------------------------------------------------------
    ("ipsec-not-a-mapping", put(IPSEC, ["default"]), f"{W_T}: ipsec: must be a mapping", ""),
    ("pfs-weak", put((*IPSEC, "pfs_group"), "group5"), f"{W_T}: ipsec.pfs_group: group5 is weak crypto", ""),
    ("pfs-unknown", put((*IPSEC, "pfs_group"), "group99"), f"{W_T}: ipsec.pfs_group: 'group99' is not one of", ""),
    ("pfs-bool", put((*IPSEC, "pfs_group"), False), f"{W_T}: ipsec.pfs_group: must be one of", "false"),
    ("establish-unknown", put((*IPSEC, "establish_tunnels"), "always"), f"{W_T}: ipsec.establish_tunnels:", ""),
    ("ipsec-gcm-with-auth", _ipsec(encryption_algorithm="aes-256-gcm"),
     f"{W_T}: ipsec.proposal.authentication_algorithm: must not be given with GCM", ""),
    ("ipsec-proposal-unknown-key", _ipsec(lifetime=3600), f"{W_T}: ipsec.proposal.lifetime: unknown field",
     "did you mean 'lifetime_seconds'"),
    ("ipsec-proposal-3des", _ipsec(encryption_algorithm="3des-cbc"), f"{W_T}: ipsec.proposal.encryption_algorithm:",
     "weak crypto"),
    ("ipsec-proposal-sha1", _ipsec(authentication_algorithm="hmac-sha1-96"),
     f"{W_T}: ipsec.proposal.authentication_algorithm:", "weak crypto"),
    ("ipsec-protocol-ah", _ipsec(protocol="ah"), f"{W_T}: ipsec.proposal.protocol: 'ah' is not one of esp", ""),
    ("ipsec-profile-unknown", put((*IPSEC, "profile"), "silver"), f"{W_T}: ipsec.profile: unknown crypto profile", ""),
    ("ipsec-unknown-key", put((*IPSEC, "pfs"), "group14"), f"{W_T}: ipsec.pfs: unknown field",
     "did you mean 'pfs_group'"),
    # --- profiles ------------------------------------------------------------------------------------
    ("profile-named-default", put(("profiles", "default"), BASE["profiles"]["gold"]),
     "srx_vpn_profiles['default']: name: 'default' is reserved", ""),
    ("profile-named-custom", put(("profiles", "Custom"), BASE["profiles"]["gold"]),
     "srx_vpn_profiles['Custom']: name: 'Custom' is reserved", ""),
    ("profile-name-space", put(("profiles", "MY PROF"), BASE["profiles"]["gold"]),
     "srx_vpn_profiles['MY PROF']: name: invalid value", ""),
    ("profile-name-newline", put(("profiles", "gold\nDELETE SECURITY"), BASE["profiles"]["gold"]),
     "srx_vpn_profiles['gold\\nDELETE SECURITY']: name: invalid value", ""),
    ("profile-names-case-only", put(("profiles", "Gold"), BASE["profiles"]["gold"]),
     "srx_vpn_profiles['Gold']: name: collides with 'gold'", ""),
    ("profile-ike-missing", put((*GOLD, "ike"), DELETE), "srx_vpn_profiles['gold']: ike: missing", ""),
    ("profile-unknown-key", put((*GOLD, "pfs"), "group14"), "srx_vpn_profiles['gold']: pfs: unknown field",
     "did you mean 'pfs_group'"),
    ("profile-ike-unknown-key", put((*GOLD, "ike", "lifetime"), 3600), "srx_vpn_profiles['gold']: ike.lifetime:",
     "unknown field"),
    ("profile-not-a-mapping", put(GOLD, "aes"), "srx_vpn_profiles['gold']: must be a mapping", ""),
    ("profile-ipsec-gcm-with-auth", put((*GOLD, "ipsec", "authentication_algorithm"), "hmac-sha-256-128"),
     "srx_vpn_profiles['gold']: ipsec.authentication_algorithm: must not be given with GCM", ""),
    ("profile-weak-pfs-used", do(put((*GOLD, "pfs_group"), "group2"), put(IPSEC, {"profile": "gold"})),
     f"{W_T}: ipsec.pfs_group: group2 is weak crypto", ""),
    ("profile-named-like-custom-tunnel", do(put(("profiles", "a-c"), BASE["profiles"]["gold"]),
                                            put((*T1, "ike"), {"proposal": CUSTOM_IKE})),
     f"{W_T1}: ike.proposal:", "IKE-PROP-A-C"),
    # --- uplinks, external peers, traffic selectors ---------------------------------------------------
    ("uplink-overlaps-external", put((*A, "uplinks"), [{**ISP2, "address": "1.1.1.50/24"}]),
     f"{W_A}: uplinks[0].address", "overlaps the subnet of external_interface"),
    ("uplink-named-primary", put((*A, "uplinks"), [{**ISP2, "name": "primary"}]), f"{W_A}: uplinks[0].name",
     "'primary' is the external_interface's uplink"),
    ("uplink-same-interface", put((*A, "uplinks"), [{**ISP2, "interface": "ge-0/0/0.0"}]),
     f"{W_A}: uplinks[0].interface", "is also the interface of external_interface"),
    ("uplink-address-of-other-device", put((*A, "uplinks"), [{**ISP2, "address": "1.1.1.2/24"}]),
     f"{W_A}: uplinks[0].address", "is also an address of device 'srx-b'"),
    ("uplink-unknown", put((*E0, "uplink"), "isp9"), f"{W_T}: ends[0].uplink", "has no uplink 'isp9'"),
    ("end-device-and-peer", put((*E1, "peer"), PEER_END["peer"]), f"{W_T}: ends[1].device",
     "give either device or peer, not both"),
    ("end-neither-device-nor-peer", put(E1, {"address": "10.0.1.2/24"}), f"{W_T}: ends[1]",
     "missing: give device or peer"),
    ("end-device-without-st0", put((*E1, "st0_unit"), DELETE), f"{W_T}: ends[1].st0_unit", "missing"),
    ("end-peer-with-st0", do(_external(), put((*T1, "ends", 1, "st0_unit"), 3)), f"{W_T1}: ends[1].st0_unit",
     "applies to a device end only"),
    ("ends-both-external", do(_external(), put((*T1, "ends", 0), {**PEER_END, "address": "10.0.2.1/30"})),
     f"{W_T1}: ends", "both ends are external peers"),
    ("peer-gateway-is-fleet-device", _external(gateway="1.1.1.2"), f"{W_T1}: ends[1].peer.gateway",
     "is an address of device 'srx-b'"),
    ("peer-backup-twice", _external(backup_gateways=["3.3.3.4", "3.3.3.4"]),
     f"{W_T1}: ends[1].peer.backup_gateways[1]", "is also peer.backup_gateways[0]"),
    ("peer-five-backups", _external(backup_gateways=[f"3.3.3.{n}" for n in range(4, 9)]),
     f"{W_T1}: ends[1].peer.backup_gateways", "at most 4 backup gateways"),
    ("peer-asn-missing-with-bgp", _external(asn=DELETE), f"{W_T1}: ends[1].peer.asn", "BGP runs over the tunnel"),
    ("peer-same-as", _external(asn=100), f"{W_T1}: bgp", "are both AS 100"),
    ("peer-identity-two-kinds", _external(identity={"inet": "3.3.3.3", "hostname": "vpn.example.net"}),
     f"{W_T1}: ends[1].peer.identity.inet", "give either inet or hostname or user_at_hostname, not both"),
    ("peer-identity-bad-hostname", _external(identity={"hostname": "vpn example"}),
     f"{W_T1}: ends[1].peer.identity.hostname", "invalid value"),
    ("peer-proposal-mismatch", _external(ike_proposals=[{**DEFAULT_IKE, "dh_group": "group19"}]),
     f"{W_T1}: ends[1].peer.ike_proposals", "NO_PROPOSAL_CHOSEN"),
    ("peer-ipsec-proposal-mismatch", _external(ipsec_proposals=[{"encryption_algorithm": "aes-256-gcm"}]),
     f"{W_T1}: ends[1].peer.ipsec_proposals", "is not one the peer is configured with"),
    ("peer-remote-gateway-wrong", do(_external(), put((*T1, "ends", 0, "remote_gateway"), "3.3.3.9")),
     f"{W_T1}: ends[0].remote_gateway", "is not the public address of cloud-1"),
    ("selectors-one-end", put((*E0, "selectors"), ["10.10.0.0/24"]), f"{W_T}: ends[1].selectors",
     "missing: ends[0] lists selectors"),
    ("selectors-overlap-sides", _selectors(["10.10.0.0/24", "10.0.1.1/32"], ["10.10.0.0/16", "10.0.1.2/32"]),
     f"{W_T}: ends[1].selectors[0]", "overlaps ends[0].selectors[0]"),
    ("selectors-overlap-own", _selectors(["10.10.0.0/24", "10.10.0.0/25", "10.0.1.1/32"],
                                         ["10.20.0.0/24", "10.0.1.2/32"]),
     f"{W_T}: ends[0].selectors[1]", "overlaps selectors[0]"),
    ("selectors-with-bgp", _selectors(["10.10.0.0/24"], ["10.20.0.0/24"]), f"{W_T}: bgp",
     "Junos runs no dynamic routing protocol on an st0 unit with traffic selectors"),
    ("selectors-with-vpn-monitor", do(_selectors(["10.10.0.0/24"], ["10.20.0.0/24"]), NO_BGP,
                                      put((*IPSEC, "vpn_monitor"), {"enabled": True})),
     f"{W_T}: ipsec.vpn_monitor", "does not support VPN monitoring with traffic selectors"),
    ("selectors-remote-default", do(_selectors(["10.10.0.0/24"], ["0.0.0.0/0"]), NO_BGP),
     f"{W_T}: ends[1].selectors[0]", "refuses 0.0.0.0/0"),
    ("selectors-over-200", do(_selectors([f"10.10.{n}.0/24" for n in range(15)],
                                         [f"10.20.{n}.0/24" for n in range(14)]), NO_BGP),
     f"{W_T}: ends", "210 traffic selectors"),
    ("selectors-host-bits", put((*E0, "selectors"), ["10.10.0.1/24"]), f"{W_T}: ends[0].selectors[0]",
     "host bits set"),
    ("proxy-identity-two-selectors", do(_selectors(["10.10.0.0/24", "10.0.1.1/32"], ["10.20.0.0/24"]),
                                        put((*IPSEC, "proxy_identity"), True), put((*T0, "bgp"), {"enabled": False})),
     f"{W_T}: ends[0].selectors", "exactly one selector on each end, got 2"),
    ("remote-selectors-overlap-on-device",
     do(_selectors(["10.10.0.0/24", "10.0.1.1/32"], ["10.20.0.0/24", "10.0.1.2/32"]), NO_BGP,
        put((*T1, "ends", 0, "selectors"), ["10.10.0.0/24"]), put((*T1, "ends", 1, "selectors"), ["10.20.0.0/16"]),
        put((*T1, "bgp"), {"enabled": False})),
     f"{W_T1}: ends[1].selectors[0]", "which tunnel 'a-b' also carries to device 'srx-a'"),
    # --- pre-shared keys (no message shows a key) ------------------------------------------------------
    ("psk-missing", put(("psks", "a-b"), DELETE), f"{W_T}: psk: no pre-shared key in srx_vpn_psks['a-b']", ""),
    ("psk-missing-typo", lambda d: d["psks"].update({"a_b": d["psks"].pop("a-b")}), f"{W_T}: psk: no pre-shared key",
     "srx_vpn_psks has 'a_b'"),
    ("psk-short", put(("psks", "a-b"), "short-key"), f"{W_T}: psk: pre-shared key is shorter than 16", ""),
    ("psk-mapping", put(("psks", "a-b"), {"key": KEY_AB}), "srx_vpn_psks['a-b']: must be a string", "a mapping"),
    ("psk-list", put(("psks", "a-b"), [KEY_AB]), "srx_vpn_psks['a-b']: must be a string", "a list"),
    ("psk-spaces", put(("psks", "a-b"), " " * 20), "srx_vpn_psks['a-b']: the key is empty or only whitespace", ""),
    ("psk-newline", put(("psks", "a-b"), KEY_AB + "\nx"), ("srx_vpn_psks['a-b']: the key has a character that is not "
     "printable ASCII"), ""),
    ("psk-trailing-newline", put(("psks", "a-b"), KEY_AB + "\n"), "srx_vpn_psks['a-b']: the key has a character", ""),
    ("psk-non-ascii", put(("psks", "a-b"), KEY_AB + "\u00e9"), "srx_vpn_psks['a-b']: the key has a character", ""),
    ("psk-300-chars", put(("psks", "a-b"), "k" * 300), "srx_vpn_psks['a-b']: the key has 300 characters",
     "at most 255"),
    ("psk-int", put(("psks", "a-b"), 12345678901234567890), "srx_vpn_psks['a-b']: must be a string", ""),
    ("psk-null", put(("psks", "a-b"), None), "srx_vpn_psks['a-b']: must not be null", ""),
    ("psk-leading-space", put(("psks", "a-b"), " " + KEY_AB), "srx_vpn_psks['a-b']: the key starts or ends", ""),
    ("psk-key-name-invalid", put(("psks", "a b"), KEY_AB), "srx_vpn_psks['a b']: name: invalid value", ""),
    # --- run options and variables ---------------------------------------------------------------------
    ("confirm-minutes-zero", host_var("srx_vpn_confirm_minutes", 0),
     "srx_vpn_confirm_minutes: must be an integer from 1 to 65535", "got 0"),
    ("confirm-minutes-text", host_var("srx_vpn_confirm_minutes", "five"), "srx_vpn_confirm_minutes: must be an integer",
     "'five'"),
    ("confirm-minutes-bool", host_var("srx_vpn_confirm_minutes", True), "srx_vpn_confirm_minutes: must be an integer",
     "true"),
    ("confirm-minutes-one-host", host_var("srx_vpn_confirm_minutes", 0, hosts=("srx-b",)),
     f"{W_B}: srx_vpn_confirm_minutes: must be an integer", ""),
    ("verify-timeout-negative", host_var("srx_vpn_verify_timeout", -1), "srx_vpn_verify_timeout: must be a number",
     ""),
    ("workers-zero", host_var("srx_vpn_workers", 0), "srx_vpn_workers: must be an integer >= 1", ""),
    ("serial-text", host_var("srx_vpn_serial", "half"), "srx_vpn_serial: must be an integer >= 0", ""),
    ("unknown-variable", host_var("srx_vpn_tunnel", []), "srx_vpn_tunnel: unknown variable of netops.srx_vpn",
     "did you mean 'srx_vpn_tunnels'"),
    ("group-with-space", host_var("srx_vpn_group", "my srx"), "srx_vpn_group: invalid value", ""),
]

# Cases that must not appear in any message: the keys of BASE and of the cases.
SECRETS = (KEY_AB, KEY_AC, "short-key")
