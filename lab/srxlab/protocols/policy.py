"""Routing policy: which prefixes a BGP export policy chain advertises.

Junos evaluates the chain in order; the first policy whose term matches a route and says
`then accept` or `then reject` decides. Routes are the device's direct (connected) and
static routes.
"""
from __future__ import annotations

from .. import addresses as A
from .. import config as C
from ..commit_check import split_ifl

ROUTE_FILTER_MATCHES = ("exact", "orlonger", "longer")


def exported(routes: list[tuple[str, str, str | None]], export: list[str], policies: dict,
             prefix_lists: dict) -> list[str]:
    """Prefixes of ``routes`` ((prefix, protocol, ifl)) that the ``export`` chain accepts."""
    out: list[str] = []
    for prefix, proto, ifl in routes:
        for pname in export:
            verdict = policy_verdict(policies.get(pname), prefix, proto, ifl, prefix_lists)
            if verdict is not None:
                if verdict:
                    out.append(prefix)
                break
    return sorted(set(out), key=A.sort_key)


def policy_verdict(pol, prefix, proto, ifl, prefix_lists) -> bool | None:
    """True (accept), False (reject) or None (no term decides) for one route."""
    if pol is None:
        return None
    terms = [n for _, n in pol.entries("term")] or [pol]
    for term in terms:
        frm = term.get("from")
        if isinstance(frm, C.Node) and not term_matches(frm, prefix, proto, ifl, prefix_lists):
            continue
        if term.get("then", "accept") is not None:
            return True
        if term.get("then", "reject") is not None:
            return False
    return None


def term_matches(frm: C.Node, prefix: str, proto: str, ifl: str | None, prefix_lists: dict) -> bool:
    if frm.get("protocol") and proto not in frm.get("protocol"):
        return False
    if frm.get("interface"):
        wanted = {"{}.{}".format(*split_ifl(i)) for i in frm.get("interface")}
        if ifl not in wanted:
            return False
    lists = [k for k, _ in frm.entries("prefix-list")]
    if lists and not any(prefix in prefix_lists.get(pl, []) for pl in lists):
        return False
    filters = list(frm.entries("route-filter"))
    if filters:
        ok = False
        for flt, fn in filters:
            how = next((m for m in ROUTE_FILTER_MATCHES if fn.get(m) is not None), "exact")
            ok |= A.prefix_matches(prefix, flt, how)
        if not ok:
            return False
    return True
