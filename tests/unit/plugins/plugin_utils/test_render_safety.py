"""No value can become a Junos command of its own.

Every string field of the intent, and every string of a plan, is given hostile values (a
quote and a line break that would start `set system login message`, a `;`, a space, control
and Unicode line-separator characters, ...). For each, either it is refused (by the intent's
schema with the field named, or by the templates' guards junos_word / junos_quote), or every
rendered line of every device parses - with the lab's own set-line parser as the judge
(``srxlab.config``) - as exactly the statements of the same rendering with a harmless marker
in that place, the marker replaced by the value inside ONE word. The pushed candidate (keys
as `$9$`) is judged the same way for the pre-shared keys.
"""
from __future__ import annotations

import copy

import intent_cases as C
import pytest
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import (
    candidate,
    intent,
    intent_schema,
    junos_syntax,
    render,
)
from netutils.password import decrypt_juniper_type9
from srxlab import config as lab_config

HOSTILE = [
    'x"\nset system login message "INJECTED"',
    "x\nDELETE SECURITY",
    'x";\ndelete security;"',
    "x; delete security",
    "MY PROF",
    "x\n", "\nx", "x\r", "x\rset system host-name x", "x\t", "x\x00", "x\x1b[31m", "x\x0b", "x\x0c",
    "x\u2028set x", "x\u0085set x", "x\u00e9",
    'x"', "x\\", 'x\\"', "x#", "x{", "x}", "x[", "x'", "x;", "x /* c */",
    "", " ",
]
MARK = "SAFEMARK"


def lines_of(text: str) -> list[list[str]]:
    """The statements of rendered text, each as the words the lab's parser reads."""
    out = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            out.append(lab_config.tokenize_line(line))
    return out


def assert_same_statements(marked: str, hostile: str, value: str, where: str) -> None:
    """``hostile`` has exactly the statements of ``marked``, MARK replaced by ``value``
    inside one word, and the lab loads it without a syntax error."""
    expected = sorted([w.replace(MARK, value) for w in words] for words in lines_of(marked))
    got = sorted(lines_of(hostile))   # the order may follow a sort on the value; Junos sets are unordered
    assert got == expected, f"{where}: {value!r} changed the statements:\n{hostile}"
    assert len(hostile.splitlines()) == len(marked.splitlines()), f"{where}: {value!r} added a line"
    errors = lab_config.load_set(lab_config.Node(), hostile)
    assert not errors, f"{where}: {value!r}: the lab refuses {[(e.message, e.statement) for e in errors]}"


def render_all(plans: dict) -> dict[str, str]:
    return {name: render.render_device(plan) for name, plan in plans.items()}


# -- 1. every string field of the intent -------------------------------------------------------
# The third tunnel of the base these tests use: srx-a over a second uplink to an external peer,
# with selectors (so without BGP: Junos runs none with them), backup gateways, an identity and
# declared proposals.
X0 = ("tunnels", 2, "ends", 0)
XP = ("tunnels", 2, "ends", 1, "peer")
EXTERNAL_TUNNEL = {
    "name": "a-x", "ends": [
        {"device": "srx-a", "st0_unit": 7, "address": "169.254.10.1/30", "uplink": "isp2",
         "selectors": ["10.10.0.0/24", "169.254.10.1/32"]},
        {"address": "169.254.10.2/30", "selectors": ["10.99.0.0/16", "169.254.10.2/32"],
         "peer": {"name": "cloud-1", "gateway": "3.3.3.3", "backup_gateways": ["3.3.3.4"],
                  "identity": {"hostname": "vpn.example.net"}, "asn": 64512, "prefixes": ["10.99.0.0/16"],
                  "ike_proposals": [{**C.DEFAULT_IKE, "authentication_method": "pre-shared-keys"}],
                  "ipsec_proposals": [{"protocol": "esp", "encryption_algorithm": "aes-256-cbc",
                                       "authentication_algorithm": "hmac-sha-256-128"}]}}],
    "bgp": {"enabled": False}}

# (schema path, intent path, free text): free text may hold any printable character (rendered
# quoted) and is judged on the rendering; every other field must refuse every hostile value.
POSITIONS = [
    ("srx_vpn_device.external_interface", (*C.A, "external_interface"), False),
    ("srx_vpn_device.external_address", (*C.A, "external_address"), False),
    ("srx_vpn_device.public_address", (*C.A, "public_address"), False),
    ("srx_vpn_device.loopback", (*C.A, "loopback"), False),
    ("srx_vpn_device.router_id", (*C.A, "router_id"), False),
    ("srx_vpn_device.advertise[items]", (*C.A, "advertise", 0), False),
    ("srx_vpn_device.lan_prefixes[items]", (*C.A, "lan_prefixes", 0), False),
    ("srx_vpn_device.zones.untrust", (*C.A, "zones", "untrust"), False),
    ("srx_vpn_device.zones.vpn", (*C.A, "zones", "vpn"), False),
    ("srx_vpn_device.zones.trust", (*C.A, "zones", "trust"), False),
    ("srx_vpn_tunnels[items].name", (*C.T0, "name"), False),
    ("srx_vpn_tunnels[items].description", (*C.T0, "description"), True),
    ("srx_vpn_tunnels[items].state", (*C.T0, "state"), False),
    ("srx_vpn_tunnels[items].ends[items].device", (*C.E1, "device"), False),
    ("srx_vpn_tunnels[items].ends[items].address", (*C.E1, "address"), False),
    ("srx_vpn_tunnels[items].ends[items].remote_gateway", (*C.E0, "remote_gateway"), False),
    ("srx_vpn_tunnels[items].ike.version", (*C.IKE, "version"), False),
    ("srx_vpn_tunnels[items].ike.mode", (*C.IKE, "mode"), False),
    ("srx_vpn_tunnels[items].ike.profile", (*C.IKE, "profile"), False),
    ("srx_vpn_tunnels[items].ike.proposal.authentication_method", (*C.T1, "ike", "proposal", "authentication_method"),
     False),
    ("srx_vpn_tunnels[items].ike.proposal.dh_group", (*C.T1, "ike", "proposal", "dh_group"), False),
    ("srx_vpn_tunnels[items].ike.proposal.authentication_algorithm",
     (*C.T1, "ike", "proposal", "authentication_algorithm"), False),
    ("srx_vpn_tunnels[items].ike.proposal.encryption_algorithm", (*C.T1, "ike", "proposal", "encryption_algorithm"),
     False),
    ("srx_vpn_tunnels[items].ipsec.profile", (*C.IPSEC, "profile"), False),
    ("srx_vpn_tunnels[items].ipsec.pfs_group", (*C.IPSEC, "pfs_group"), False),
    ("srx_vpn_tunnels[items].ipsec.establish_tunnels", (*C.IPSEC, "establish_tunnels"), False),
    ("srx_vpn_tunnels[items].ipsec.proposal.protocol", (*C.T1, "ipsec", "proposal", "protocol"), False),
    ("srx_vpn_tunnels[items].ipsec.proposal.encryption_algorithm",
     (*C.T1, "ipsec", "proposal", "encryption_algorithm"), False),
    ("srx_vpn_tunnels[items].ipsec.proposal.authentication_algorithm",
     (*C.T1, "ipsec", "proposal", "authentication_algorithm"), False),
    ("srx_vpn_profiles[values].ike.authentication_method", (*C.GOLD, "ike", "authentication_method"), False),
    ("srx_vpn_profiles[values].ike.dh_group", (*C.GOLD, "ike", "dh_group"), False),
    ("srx_vpn_profiles[values].ike.authentication_algorithm", (*C.GOLD, "ike", "authentication_algorithm"), False),
    ("srx_vpn_profiles[values].ike.encryption_algorithm", (*C.GOLD, "ike", "encryption_algorithm"), False),
    ("srx_vpn_profiles[values].ipsec.protocol", (*C.GOLD, "ipsec", "protocol"), False),
    ("srx_vpn_profiles[values].ipsec.encryption_algorithm", (*C.GOLD, "ipsec", "encryption_algorithm"), False),
    ("srx_vpn_profiles[values].ipsec.authentication_algorithm", (*C.GOLD, "ipsec", "authentication_algorithm"),
     False),
    ("srx_vpn_profiles[values].pfs_group", (*C.GOLD, "pfs_group"), False),
    ("srx_vpn_device.uplinks[items].name", (*C.A, "uplinks", 0, "name"), False),
    ("srx_vpn_device.uplinks[items].interface", (*C.A, "uplinks", 0, "interface"), False),
    ("srx_vpn_device.uplinks[items].address", (*C.A, "uplinks", 0, "address"), False),
    ("srx_vpn_device.uplinks[items].public_address", (*C.A, "uplinks", 0, "public_address"), False),
    ("srx_vpn_tunnels[items].ends[items].uplink", (*X0, "uplink"), False),
    ("srx_vpn_tunnels[items].ends[items].selectors[items]", (*X0, "selectors", 0), False),
    ("srx_vpn_tunnels[items].ends[items].peer.name", (*XP, "name"), False),
    ("srx_vpn_tunnels[items].ends[items].peer.gateway", (*XP, "gateway"), False),
    ("srx_vpn_tunnels[items].ends[items].peer.backup_gateways[items]", (*XP, "backup_gateways", 0), False),
    ("srx_vpn_tunnels[items].ends[items].peer.identity.inet", (*XP, "identity", "inet"), False),
    ("srx_vpn_tunnels[items].ends[items].peer.identity.hostname", (*XP, "identity", "hostname"), False),
    ("srx_vpn_tunnels[items].ends[items].peer.identity.user_at_hostname", (*XP, "identity", "user_at_hostname"),
     False),
    ("srx_vpn_tunnels[items].ends[items].peer.prefixes[items]", (*XP, "prefixes", 0), False),
    ("srx_vpn_tunnels[items].ends[items].peer.ike_proposals[items].authentication_method",
     (*XP, "ike_proposals", 0, "authentication_method"), False),
    ("srx_vpn_tunnels[items].ends[items].peer.ike_proposals[items].dh_group", (*XP, "ike_proposals", 0, "dh_group"),
     False),
    ("srx_vpn_tunnels[items].ends[items].peer.ike_proposals[items].authentication_algorithm",
     (*XP, "ike_proposals", 0, "authentication_algorithm"), False),
    ("srx_vpn_tunnels[items].ends[items].peer.ike_proposals[items].encryption_algorithm",
     (*XP, "ike_proposals", 0, "encryption_algorithm"), False),
    ("srx_vpn_tunnels[items].ends[items].peer.ipsec_proposals[items].protocol",
     (*XP, "ipsec_proposals", 0, "protocol"), False),
    ("srx_vpn_tunnels[items].ends[items].peer.ipsec_proposals[items].encryption_algorithm",
     (*XP, "ipsec_proposals", 0, "encryption_algorithm"), False),
    ("srx_vpn_tunnels[items].ends[items].peer.ipsec_proposals[items].authentication_algorithm",
     (*XP, "ipsec_proposals", 0, "authentication_algorithm"), False),
]
# keys of mappings (profile names, key names, device names) are positions too
KEY_POSITIONS = ["srx_vpn_profiles[keys]", "srx_vpn_psks[keys]", "device name"]
# strings never rendered into a set line: the key (sent as $9$, judged below) and controller paths
NOT_RENDERED = {"srx_vpn_psks[values]", "srx_vpn_output_dir", "srx_vpn_reports_dir", "srx_vpn_group"}


def _string_paths():
    def walk(node, path):
        if node["type"] == "string":
            yield path
        for name, sub in node.get("fields", {}).items():
            yield from walk(sub, f"{path}.{name}")
        for key in ("items", "values", "keys"):
            if key in node:
                yield from walk(node[key], f"{path}[{key}]")
    for name, node in intent_schema.VARIABLES.items():
        yield from walk(node, name)


def test_every_string_field_of_the_schema_is_tested():
    tested = {p for p, _, _ in POSITIONS} | set(KEY_POSITIONS) | NOT_RENDERED
    # a profile's proposals are the same nodes as a tunnel's custom proposals
    missing = sorted(p for p in _string_paths() if p not in tested)
    assert not missing, f"string fields with no hostile-value test: {missing}"


def _base_with_custom_proposals():
    data = C.base()
    data["tunnels"][1]["ike"] = {"proposal": dict(C.CUSTOM_IKE)}
    data["tunnels"][1]["ipsec"] = {"proposal": dict(C.CUSTOM_IPSEC)}
    data["tunnels"][0]["ike"]["version"] = "v1"   # so that ike.mode is a valid field
    data["tunnels"][0]["ike"]["mode"] = "main"
    data["devices"]["srx-a"]["uplinks"] = [{**C.ISP2, "public_address": "2.2.2.100"}]
    data["tunnels"].append(copy.deepcopy(EXTERNAL_TUNNEL))
    data["psks"]["a-x"] = C.KEY_AB
    return data


@pytest.mark.parametrize(("path", "where", "free"), POSITIONS, ids=[p[0] for p in POSITIONS])
def test_hostile_values_in_every_intent_field(path, where, free):
    marked = None
    for value in HOSTILE:
        data = _base_with_custom_proposals()
        C.put(where, value)(data)
        try:
            plans = C.build(intent, data)
        except intent.IntentError as exc:
            field = path.rsplit(".", 1)[-1].replace("[items]", "")
            assert any(field in p for p in exc.problems), (path, value, exc.problems)
            continue
        assert free, f"{path}: the hostile value {value!r} was accepted"
        if marked is None:
            data = _base_with_custom_proposals()
            C.put(where, MARK)(data)
            marked = render_all(C.build(intent, data))
        for device, text in render_all(plans).items():
            assert_same_statements(marked[device], text, value, f"{path} on {device}")


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_names_as_mapping_keys(value):
    for mutate, word in (
            (lambda d: d["profiles"].update({value: d["profiles"]["gold"]}), "srx_vpn_profiles["),
            (lambda d: d["psks"].update({value: C.KEY_AB}), "srx_vpn_psks["),
            (lambda d: d["devices"].update({value: d["devices"].pop("srx-c")}), "device ")):
        data = C.base()
        mutate(data)
        with pytest.raises(intent.IntentError) as info:
            C.build(intent, data)
        assert any(p.startswith(word) for p in info.value.problems), (value, info.value.problems)


PSK_LIKE = ['abcdefghijklmnop"; set system x', "abcdefghijklmnop\\", "abcdefghijk$9$mnop", "a" * 255,
            "~!@#$%^&*()_+{}|:<>?`-=[];',./ok", 'x"' * 10]


@pytest.mark.parametrize("key", PSK_LIKE + HOSTILE)
def test_hostile_keys_never_reach_a_line_in_clear(key):
    """A printable key is accepted and sent as one $9$ word that decodes to it; any other is
    refused without being shown."""
    data = C.base()
    data["psks"]["a-b"] = key
    try:
        plans = C.build(intent, data)
    except intent.IntentError as exc:
        assert all(key.strip() not in p for p in exc.problems if len(key.strip()) > 2), exc.problems
        return
    for name in ("srx-a", "srx-b"):
        lines = candidate.build_candidate(render.render_device(plans[name]), "", plans[name], data["psks"])
        statements = [lab_config.tokenize_line(line) for line in lines]
        assert len(statements) == len(lines)
        secrets = [w for words in statements for w in words if w.startswith("$9$") and "IKE-POL-A-B" in words]
        assert len(secrets) == 1 and decrypt_juniper_type9(secrets[0]) == key
        assert all(len(words) == 8 for words in statements if "pre-shared-key" in words)
        assert key not in "\n".join(lines)
        assert not lab_config.load_set(lab_config.Node(), "\n".join(lines))


# -- 2. every string of a plan (the guard holds even for a hand-made plan) -----------------------
def _plan():
    return C.build(intent, _base_with_custom_proposals())["srx-a"]


def _string_leaves(obj, path=()):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _string_leaves(value, (*path, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _string_leaves(value, (*path, i))
    elif isinstance(obj, (str, int)) and not isinstance(obj, bool):
        yield path


def _set(obj, path, value):
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def _plan_positions():
    plan = _plan()
    # the keys of the proposal mappings are names too
    return [*_string_leaves(plan), ("ike_proposals", "<key>"), ("ipsec_proposals", "<key>")]


PLAN_POSITIONS = _plan_positions()


@pytest.mark.parametrize("path", PLAN_POSITIONS, ids=lambda p: ".".join(map(str, p)))
def test_hostile_values_in_every_plan_string(path):
    for value in [*HOSTILE, True, None, 1.5]:
        for fill in (MARK, value):
            plan = copy.deepcopy(_plan())
            if path[-1] == "<key>":
                section = plan[path[0]]
                first = min(section)
                section[fill] = section.pop(first)
                for t in plan["tunnels"]:
                    for k in ("ike_proposal", "ipsec_proposal"):
                        t["names"][k] = fill if t["names"][k] == first else t["names"][k]
            else:
                original = _lookup(plan, path)
                _set(plan, path, fill if not isinstance(original, int) or fill is not MARK else original)
            try:
                text = render.render_device(plan)
            except (junos_syntax.JunosSyntaxError, TypeError, AttributeError, ValueError):
                if fill is MARK:
                    break        # the marker itself is no valid value here: the guard refuses any text
                continue
            if fill is MARK:
                marked = text
            elif not value and len(lines_of(text)) < len(lines_of(marked)):
                # a false value may drop optional lines (`{% if p.router_id %}`), never add one
                known = lines_of(marked)
                assert all(words in known for words in lines_of(text)), (path, value, text)
            else:
                assert_same_statements(marked, text, str(value), ".".join(map(str, path)))


def _lookup(obj, path):
    for key in path:
        obj = obj[key]
    return obj


@pytest.mark.parametrize(("variable", "value"), [
    ("bgp_bfd_minimum_interval", "300\nset system x"),
    ("bgp_bfd_multiplier", True),
])
def test_role_variables_are_guarded_too(variable, value):
    plan = _plan()
    plan["bgp"]["neighbors"][0]["bfd"] = True
    with pytest.raises(junos_syntax.JunosSyntaxError):
        render.render_device(plan, **{variable: value})


@pytest.mark.parametrize("value", HOSTILE + [True, None, 1.5, ["x"]])
def test_the_guards(value):
    with pytest.raises(junos_syntax.JunosSyntaxError):
        junos_syntax.word(value)
    if isinstance(value, str) and all(0x20 <= ord(c) <= 0x7E for c in value):
        words = lab_config.tokenize_line(f"set x {junos_syntax.quote(value)}")
        assert words == ["set", "x", value]
    else:
        with pytest.raises(junos_syntax.JunosSyntaxError):
            junos_syntax.quote(value)


def test_the_ansible_filters_are_the_same_guards():
    from ansible.errors import AnsibleFilterError
    from ansible_collections.netops.srx_vpn.plugins.filter import vpn_intent

    filters = vpn_intent.FilterModule().filters()
    assert filters["junos_word"]("ge-0/0/0.0") == junos_syntax.word("ge-0/0/0.0")
    assert filters["junos_quote"]('a "b"') == junos_syntax.quote('a "b"')
    for name, bad in (("junos_word", "a b"), ("junos_quote", "a\nb")):
        with pytest.raises(AnsibleFilterError):
            filters[name](bad)
    assert set(junos_syntax.FILTERS) == {f"netops.srx_vpn.{n}" for n in ("junos_word", "junos_quote")}
