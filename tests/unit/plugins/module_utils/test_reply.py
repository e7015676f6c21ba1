# Copyright (c) 2026 netops.srx_vpn maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils/srx_state/reply.py: the XML reply envelope (shapes, namespaces, errors)."""

from __future__ import annotations

import xml.etree.ElementTree as std_etree

import pytest
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state import (
    ike,
    ping,
    reply,
)
from ansible_collections.netops.srx_vpn.plugins.module_utils.srx_state.records import (
    SrxStateError,
)
from lxml import etree
from state_cases import IKE_BRIEF, PING, fixture

RPC_ERROR_XML = (
    "<rpc-reply><rpc-error><error-severity>error</error-severity>"
    "<error-message>syntax error</error-message></rpc-error></rpc-reply>"
)


def test_lxml_element_with_namespaces_is_not_modified():
    root = etree.fromstring(fixture("ike_brief.xml").encode())
    before = etree.tostring(root)
    assert ike.parse_ike_sas(root) == IKE_BRIEF
    assert ike.parse_ike_sas(root.getroottree()) == IKE_BRIEF
    assert etree.tostring(root) == before


def test_stdlib_element_bytes_and_list_of_replies():
    text = fixture("ike_brief.xml")
    assert ike.parse_ike_sas(std_etree.fromstring(text)) == IKE_BRIEF
    assert ike.parse_ike_sas(std_etree.ElementTree(std_etree.fromstring(text))) == IKE_BRIEF
    assert ike.parse_ike_sas(text.encode()) == IKE_BRIEF
    assert ike.parse_ike_sas([text, text.encode()]) == IKE_BRIEF + IKE_BRIEF


def test_netconf_prefixed_reply_and_declaration():
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<nc:rpc-reply xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" '
        'xmlns:junos="http://xml.juniper.net/junos/21.4R3/junos" message-id="1">'
        '<nc:ping-results><nc:probe-results-summary><nc:probes-sent>8</nc:probes-sent>'
        "<nc:responses-received>8</nc:responses-received><nc:packet-loss>0</nc:packet-loss>"
        "<nc:rtt-minimum>402</nc:rtt-minimum><nc:rtt-maximum>846</nc:rtt-maximum>"
        "<nc:rtt-average>502</nc:rtt-average></nc:probe-results-summary></nc:ping-results>"
        "</nc:rpc-reply>"
    )
    assert ping.parse_ping_summary(xml) == PING


def test_namespaced_attributes_lose_their_prefix():
    root = reply.parse_xml('<a xmlns:junos="urn:x"><b junos:seconds="4" style="brief"/></a>')
    assert dict(root[0].attrib) == {"seconds": "4", "style": "brief"}


@pytest.mark.parametrize(("data", "message"), [
    ("<ike-security-associations-information><ike-security-associations>", "invalid XML"),
    (fixture("bgp_summary.xml"), "no <ike-security-associations-information>"),
    (RPC_ERROR_XML, "the device answered with an error: syntax error"),
    ("<rpc-reply><output>Total active tunnels: 0</output></rpc-reply>", "is CLI text, not XML"),
    ("show security ike security-associations", "the reply is not XML"),
    (None, "no input"),
    (42, "got int"),
])
def test_errors(data, message):
    with pytest.raises(SrxStateError, match=message):
        ike.parse_ike_sas(data)


def test_warnings_are_not_errors():
    warning = RPC_ERROR_XML.replace(">error</error-severity>", ">warning</error-severity>")
    with pytest.raises(SrxStateError, match="has no <ike-security-associations-information>"):
        ike.parse_ike_sas(warning)
    assert reply.error_messages(reply.parse_xml(warning)) == []


def test_output_text_goes_to_a_text_reader_when_given():
    root = reply.parse_xml("<rpc-reply><output>one</output><output>two</output></rpc-reply>")
    assert reply.entries_from_tree(root, ike.SPEC, lambda text: [text]) == ["one\ntwo"]
