"""Load and validate a lab topology file (YAML).

A topology names the devices of a lab, how to reach them and how their ports are
wired::

    name: seed-pair
    time_scale: 1.0            # factor applied to every lab delay; env SRXLAB_TIME_SCALE wins
    defaults: {host: 127.0.0.1, username: root, password: lab123}   # + authorized_keys
    devices:
      srx-a:
        port: 0                # optional; 0 or absent = pick a free port
        model: vsrx
        ports: [ge-0/0/0, ge-0/0/1]
        netconf_1_1: true      # optional; false = advertise base:1.0 only, as real Junos does
        inventory: true        # optional; false = an out-of-band device (a peer someone else
                               # runs): it runs as any other, but the srxlab inventory omits it
        authorized_keys: []    # optional OpenSSH public key lines (default: defaults')
        factory_config: |
          set system host-name srx-a
    segments:                  # ports that share a wire
      internet: [srx-a:ge-0/0/0, srx-b:ge-0/0/0]
    nat: []

:func:`load` returns a plain dict with every default filled in::

    {"name": str, "path": str (absolute), "time_scale": float,
     "defaults": {"host": str, "username": str, "password": str, "authorized_keys": [str]},
     "devices": {name: {"name", "host", "port": int, "username", "password", "model",
                        "ports": [str], "factory_config": str, "netconf_1_1": bool,
                        "authorized_keys": [str], "inventory": bool}},
     "segments": {name: ["device:port", ...]},
     "nat": list}

Any problem raises :class:`TopologyError` naming the file and the offending field.
"""

from __future__ import annotations

import os
import pathlib
import re
from typing import Any

import yaml

from .addresses import valid_ipv4

TIME_SCALE_ENV = "SRXLAB_TIME_SCALE"

_NAT_FIELDS = {"device", "port", "inside", "public", "segment"}
_TOP_FIELDS = {"name", "time_scale", "defaults", "devices", "segments", "nat"}
_DEFAULT_FIELDS = {"host", "username", "password", "authorized_keys"}
_DEVICE_FIELDS = _DEFAULT_FIELDS | {"port", "model", "ports", "factory_config", "netconf_1_1",
                                    "inventory"}
_BUILTIN_DEFAULTS = {"host": "127.0.0.1", "username": "root", "password": "lab123"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PORT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]*$")


class TopologyError(ValueError):
    """The topology file is missing, not YAML, or fails validation."""


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read, validate and normalize the topology at ``path``."""
    path = pathlib.Path(path).resolve()
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise TopologyError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise TopologyError(f"{path}: not valid YAML: {exc}") from exc
    return _Validator(path).topology(raw)


class _Validator:
    """Checks one raw topology document; every error names ``file: field``."""

    def __init__(self, path: pathlib.Path):
        self.path = path

    def fail(self, field: str, problem: str) -> TopologyError:
        return TopologyError(f"{self.path}: {field}: {problem}")

    def mapping(self, value: Any, field: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, "must be a mapping")
        for key in value:
            if key not in allowed:
                raise self.fail(f"{field}.{key}" if field else str(key),
                                f"unknown field (expected one of {', '.join(sorted(allowed))})")
        return value

    def string(self, value: Any, field: str, pattern: re.Pattern[str] | None = None) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, "must be a non-empty string")
        if pattern is not None and not pattern.match(value):
            raise self.fail(field, f"invalid value {value!r}")
        return value

    def topology(self, raw: Any) -> dict[str, Any]:
        doc = self.mapping(raw, "", _TOP_FIELDS)
        if "name" not in doc:
            raise self.fail("name", "missing")
        defaults = self.defaults(doc.get("defaults", {}))
        raw_devices = doc.get("devices")
        if not raw_devices:
            raise self.fail("devices", "at least one device is required")
        if not isinstance(raw_devices, dict):
            raise self.fail("devices", "must be a mapping of device name to settings")
        devices = {self.string(name, f"devices.{name}", _NAME):
                   self.device(name, spec, defaults) for name, spec in raw_devices.items()}
        self.check_ports_unique(devices)
        segments = self.segments(doc.get("segments", {}), devices)
        nat = self.nat(doc.get("nat", []), devices, segments)
        return {
            "name": self.string(doc["name"], "name", _NAME),
            "path": str(self.path),
            "time_scale": self.time_scale(doc.get("time_scale", 1.0)),
            "defaults": defaults,
            "devices": devices,
            "segments": segments,
            "nat": nat,
        }

    def defaults(self, raw: Any) -> dict[str, Any]:
        raw = self.mapping(raw or {}, "defaults", _DEFAULT_FIELDS)
        defaults: dict[str, Any] = {key: self.string(raw.get(key, value), f"defaults.{key}")
                                    for key, value in _BUILTIN_DEFAULTS.items()}
        defaults["authorized_keys"] = self.keys(raw.get("authorized_keys", []),
                                                "defaults.authorized_keys")
        return defaults

    def keys(self, value: Any, field: str) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(field, "must be a list of OpenSSH public key lines")
        return [self.string(key, f"{field}[{index}]").strip() for index, key in enumerate(value)]

    def time_scale(self, value: Any) -> float:
        field = "time_scale"
        if os.environ.get(TIME_SCALE_ENV):
            field, value = f"environment {TIME_SCALE_ENV}", os.environ[TIME_SCALE_ENV]
        try:
            scale = float(value)
        except (TypeError, ValueError):
            raise self.fail(field, f"must be a positive number, got {value!r}") from None
        if not scale > 0:
            raise self.fail(field, f"must be a positive number, got {value!r}")
        return scale

    def device(self, name: str, raw: Any, defaults: dict[str, Any]) -> dict[str, Any]:
        field = f"devices.{name}"
        spec = self.mapping(raw or {}, field, _DEVICE_FIELDS)
        port = spec.get("port", 0)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise self.fail(f"{field}.port", f"must be an integer 0-65535, got {port!r}")
        ports = spec.get("ports", [])
        if not isinstance(ports, list):
            raise self.fail(f"{field}.ports", "must be a list of interface names")
        for index, port_name in enumerate(ports):
            self.string(port_name, f"{field}.ports[{index}]", _PORT_NAME)
        if len(set(ports)) != len(ports):
            raise self.fail(f"{field}.ports", "lists an interface twice")
        factory = spec.get("factory_config", "")
        if not isinstance(factory, str):
            raise self.fail(f"{field}.factory_config", "must be a string of Junos set lines")
        base11 = spec.get("netconf_1_1", True)
        if not isinstance(base11, bool):
            raise self.fail(f"{field}.netconf_1_1", "must be true or false")
        listed = spec.get("inventory", True)
        if not isinstance(listed, bool):
            raise self.fail(f"{field}.inventory", "must be true or false")
        return {
            "name": name,
            "host": self.string(spec.get("host", defaults["host"]), f"{field}.host"),
            "port": port,
            "username": self.string(spec.get("username", defaults["username"]),
                                    f"{field}.username"),
            "password": self.string(spec.get("password", defaults["password"]),
                                    f"{field}.password"),
            "model": self.string(spec.get("model", "vsrx"), f"{field}.model"),
            "ports": list(ports),
            "factory_config": factory,
            "netconf_1_1": base11,
            "authorized_keys": self.keys(spec.get("authorized_keys", defaults["authorized_keys"]),
                                         f"{field}.authorized_keys"),
            "inventory": listed,
        }

    def check_ports_unique(self, devices: dict[str, dict[str, Any]]) -> None:
        seen: dict[tuple[str, int], str] = {}
        for name, spec in devices.items():
            key = (spec["host"], spec["port"])
            if spec["port"] and key in seen:
                raise self.fail(f"devices.{name}.port",
                                f"{spec['port']} is also used by {seen[key]}")
            seen[key] = name

    def nat(self, raw: Any, devices: dict[str, dict[str, Any]], segments: dict[str, list[str]]) -> list[dict]:
        """Source NAT in front of one device port: `{device, port, inside, public, segment}`
        puts DEVICE:PORT (address INSIDE) on SEGMENT, seen there as PUBLIC."""
        if not isinstance(raw, list):
            raise self.fail("nat", "must be a list")
        out = []
        for index, entry in enumerate(raw):
            field = f"nat[{index}]"
            entry = self.mapping(entry, field, _NAT_FIELDS)
            for key in sorted(_NAT_FIELDS):
                if key not in entry:
                    raise self.fail(f"{field}.{key}", "missing")
                self.string(entry[key], f"{field}.{key}")
            device = devices.get(entry["device"])
            if device is None:
                raise self.fail(f"{field}.device", f"unknown device {entry['device']!r}")
            if entry["port"] not in device["ports"]:
                raise self.fail(f"{field}.port", f"{entry['device']} has no port {entry['port']!r}")
            if entry["segment"] not in segments:
                raise self.fail(f"{field}.segment", f"unknown segment {entry['segment']!r}")
            for key in ("inside", "public"):
                if not valid_ipv4(entry[key], prefix=False):
                    raise self.fail(f"{field}.{key}", f"not an IPv4 address: {entry[key]!r}")
            out.append(dict(entry))
        return out

    def segments(self, raw: Any, devices: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
        if not isinstance(raw, dict):
            raise self.fail("segments", "must be a mapping of segment name to endpoints")
        wired: dict[str, str] = {}
        result: dict[str, list[str]] = {}
        for seg, endpoints in raw.items():
            field = f"segments.{seg}"
            self.string(seg, field, _NAME)
            if not isinstance(endpoints, list) or not endpoints:
                raise self.fail(field, "must be a non-empty list of DEVICE:PORT")
            for index, endpoint in enumerate(endpoints):
                where = f"{field}[{index}]"
                device, sep, port = self.string(endpoint, where).partition(":")
                if not sep:
                    raise self.fail(where, f"{endpoint!r} is not DEVICE:PORT")
                if device not in devices:
                    raise self.fail(where, f"unknown device {device!r}")
                if port not in devices[device]["ports"]:
                    raise self.fail(where, f"{device} has no port {port!r} "
                                           f"(ports: {', '.join(devices[device]['ports'])})")
                if endpoint in wired:
                    raise self.fail(where, f"{endpoint} is already on segment {wired[endpoint]}")
                wired[endpoint] = seg
            result[seg] = list(endpoints)
        return result
