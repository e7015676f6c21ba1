# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SRX state in any shape -> records, and the problem checks of the filters (controller side).

Every parser accepts the same reply in any of three shapes and returns the same records:

- the XML reply of the RPC (a string, bytes or an lxml / ElementTree element; read by the
  XML parsers of ``module_utils/srx_state``); ``<output>`` text of ``<command format="text">``
  is read as CLI text;
- the Junos JSON reply (a string or a dict, see :mod:`state_json`);
- the CLI text of the show command (see :mod:`state_text`).

A list of replies (for example ``stdout`` of ``junos_command``) is parsed reply by reply and
the entries are concatenated; a registered result dict with ``xml`` or ``stdout`` is read
from that key. Prompts and banners around a pasted reply are ignored.

:func:`tunnel_problems`, :func:`bgp_problems` and :func:`ping_problems` judge with the one
problems engine (``module_utils/srx_state/problems.py``, also the ``vpn_state`` module's):
the same fault gives the same sentence.
"""

from __future__ import annotations

from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import (
    bgp,
    ike,
    ipsec,
    ping,
    problems,
    reply,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
)
from ansible_collections.netops.srx_vpn.plugins.plugin_utils import state_text
from ansible_collections.netops.srx_vpn.plugins.plugin_utils.state_json import (
    json_to_tree,
    load_json,
)


def _looks_like_xml(text):
    return len(text) > 1 and text[0] == "<" and (text[1].isalpha() or text[1] in "?!_")


def _replies_from_string(text):
    text = state_text.trim_banners(text)
    if _looks_like_xml(text):
        yield "tree", reply.parse_xml(text)
    elif text[:1] in ("{", "["):
        yield from _replies(load_json(text))
    else:
        yield "text", text


def _replies_from_dict(data):
    if "xml" in data and isinstance(data.get("xml"), str):
        yield from _replies(data["xml"])
    elif "stdout" in data and ("changed" in data or "failed" in data or "stdout_lines" in data):
        yield from _replies(data["stdout"])
    else:
        yield "tree", json_to_tree(data)


def _replies(data):
    """Yield ('tree', lxml element without namespaces) or ('text', str) per reply."""
    if data is None:
        raise SrxStateError("no input (got None)")
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if isinstance(data, str):
        yield from _replies_from_string(data)
    elif isinstance(data, dict):
        yield from _replies_from_dict(data)
    elif isinstance(data, (list, tuple)):
        for item in data:
            if isinstance(item, (list, tuple)) and all(isinstance(i, str) for i in item):
                item = "\n".join(item)  # stdout_lines of one command
            yield from _replies(item)
    elif reply.is_element(data):
        yield "tree", reply.tree_from_element(data)
    else:
        raise SrxStateError(
            f"expected XML, JSON or CLI text (string, dict or XML element), got {type(data).__name__}")


def _parse(data, spec, from_text):
    def read_text(text):
        return from_text(state_text.trim_banners(text))

    results = []
    for kind, payload in _replies(data):
        if kind == "text":
            results.extend(from_text(payload))
        else:
            results.extend(reply.entries_from_tree(payload, spec, read_text))
    return results


def parse_ike_sas(data):
    """IKE (phase 1) SAs: list of dicts with the keys of ``IKE_FIELDS``."""
    return _parse(data, ike.SPEC, state_text.ike_from_text)


def parse_ipsec_sas(data):
    """IPsec (phase 2) SAs, one per direction: list of dicts with the keys of ``IPSEC_FIELDS``."""
    return _parse(data, ipsec.SPEC, state_text.ipsec_from_text)


def parse_bgp_peers(data):
    """BGP peers from summary or neighbor output: list of dicts with the keys of ``BGP_FIELDS``."""
    return _parse(data, bgp.SPEC, state_text.bgp_from_text)


def parse_bgp_last_errors(data):
    """State, last state, last event and last error per peer of ``show bgp neighbor``."""
    return _parse(data, bgp.ERROR_SPEC, state_text.bgp_error_from_text)


def parse_ping_summary(data):
    """Summary of one ping: dict with the keys of ``PING_FIELDS`` (rtt in ms)."""
    return ping.one_summary(_parse(data, ping.SPEC, state_text.ping_from_text))


# --------------------------------------------------------------------------------------
# Problems, through the one engine
# --------------------------------------------------------------------------------------

def _ensure_parsed(value, parser, marker):
    """Parsed records as they are; anything else (a raw reply) is parsed first."""
    if isinstance(value, (list, tuple)) and all(isinstance(v, dict) and marker in v for v in value):
        return list(value)
    return parser(value)


def _as_list(expectation):
    items = expectation if isinstance(expectation, (list, tuple)) else [expectation]
    for item in items:
        if not isinstance(item, dict):
            raise problems.VpnCheckError(f"an expectation must be a dict, got {item!r}")
    return list(items)


def tunnel_problems(ike_sas, ipsec_sas, expectation):
    """Problems of one (dict) or several (list) expected tunnels, one sentence each; [] when
    healthy. ``ike_sas``/``ipsec_sas`` are parsed records or raw replies. An expectation has
    ``remote_address`` (required), ``tunnel_id``, ``name``, ``encryption``, ``integrity``."""
    expect = problems.normalise_expectations(tunnels=_as_list(expectation), names_required=False)
    ike_records = _ensure_parsed(ike_sas, parse_ike_sas, "state")
    ipsec_records = _ensure_parsed(ipsec_sas, parse_ipsec_sas, "direction")
    result = problems.evaluate(expect, ike=ike_records, ipsec=ipsec_records)
    return problems.problem_sentences(result["problems"])


def bgp_problems(bgp_peers, expectation):
    """Problems of one (dict) or several (list) expected BGP sessions; [] when healthy.

    ``bgp_peers`` are parsed records or a raw reply. An expectation has ``peer_address``
    (required), ``peer_as``, ``state`` (default Established), ``min_received_prefixes``,
    ``min_accepted_prefixes``, ``min_active_prefixes``, ``min_advertised_prefixes`` and
    ``name``. Prefix minimums are checked only when the session is in the wanted state.
    """
    items = [{k: v for k, v in item.items() if k != "tunnel"} for item in _as_list(expectation)]
    expect = problems.normalise_expectations(bgp_peers=items)
    peers = _ensure_parsed(bgp_peers, parse_bgp_peers, "peer_address")
    return problems.problem_sentences(problems.evaluate(expect, bgp=peers)["problems"])


def ping_problems(ping_reply, expectation):
    """Problems of one ping (parsed summary or raw reply) against an expectation with
    ``target`` (required), ``source`` and ``max_loss_percent`` (default 0); [] when it holds."""
    if isinstance(expectation, (list, tuple)):
        raise problems.VpnCheckError("ping_problems checks one ping: pass one expectation (a dict)")
    items = [{k: v for k, v in item.items() if k != "tunnel"} for item in _as_list(expectation)]
    expect = problems.normalise_expectations(pings=items)
    summary = ping_reply if isinstance(ping_reply, dict) and "loss_percent" in ping_reply \
        else parse_ping_summary(ping_reply)
    result = problems.ping_result(expect["pings"][0], summary)
    return problems.problem_sentences(result["problems"])
