"""Running where AWX / Automation Platform runs: the execution environment and ansible-runner.

1. ``execution-environment.yml`` (ansible-builder 3): ``ansible-builder create`` writes the
   build context into a temporary folder (no image is built: no registry here), and the
   context is checked: the Containerfile and its base image, ansible-core / ansible-runner at
   the pins of requirements.txt, the Python requirements, bindep and Galaxy requirements
   exactly as declared and at the versions this suite runs with, every third-party module
   the collection's plugins import (found with ``ast``) covered by the image's Python
   requirements, the collection the image's Galaxy stage installs from the context holding
   the same files as the collection installed from the repository, and the builder stage's
   introspection (``ansible-builder introspect`` over the installed collections) bringing the
   collection's pins from ``meta/execution-environment.yml`` and honouring the exclusions.
2. ``deploy_vpn.yml`` through ``ansible_runner.run()``, the engine AWX runs jobs with, in a
   private data directory laid out like an AWX job's: ``project/`` (the checkout's files, the
   collection installed from ``collections/requirements.yml`` the way a project sync does),
   ``inventory/`` (the lab pair, the intent, the keys in a vault), ``env/`` (envvars,
   extravars, settings, and ``passwords``: the vault password answers the
   ``--ask-vault-pass`` prompt, as AWX passes a Vault credential). Three jobs: the deploy,
   the same job again in the shape docs/awx.md gives a real fleet (static inventory without
   credentials or vault, the keys' vault next to the playbook, the NETCONF login from a custom
   credential type's extra vars: changed=0), and a "check" job (``--check --diff``) of a
   changed intent. Each job's events and artifacts are read (status, rc, the deploy task's
   result, the stats, no key, vault password or device password anywhere) and the devices are
   checked through ncclient (commit history, configuration, the tunnel's state). A fourth
   job passes the login the AWX Machine credential's way (``-u``, ``--ask-pass``).

The module starts its own seed-pair lab (``helpers.Lab``, as the deploy tests do): the
deploy leaves VPN configuration on the devices that the session's shared ``lab`` does not expect.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import functools
import importlib.metadata
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ansible_runner
import pytest
import yaml
from bindep.depends import Depends
from helpers import (
    PAIR,
    TUNNEL,
    Inventory,
    Lab,
    Snapshot,
    lab_inventory_copy,
    new_commits,
    new_psk,
    secrets_in,
    wait_tunnel,
)
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
SITE = pathlib.Path(sysconfig.get_paths()["purelib"])
EE_FILE = REPO / "execution-environment.yml"
DEPLOY_TASK = "netops.srx_vpn.vpn_deploy"
BUILDER_TIMEOUT = 120
GALAXY_TIMEOUT = 120
JOB_TIMEOUT = 180
# What AWX answers the prompt of `--ask-vault-pass` with (a Vault credential without vault id).
VAULT_PROMPT = r"Vault password:\s*?$"

pytestmark = pytest.mark.xdist_group("execution-environment")


def _tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


def _run(cmd: list[str], cwd: pathlib.Path, timeout: float, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, \
        f"$ {' '.join(cmd)}\nrc={proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


def _yaml(path: pathlib.Path) -> Any:
    return yaml.safe_load(path.read_text())


def _pins(text: str) -> dict[str, str]:
    """A pip requirements file as {canonical name: specifier}; comments and blanks skipped."""
    out = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            name = canonicalize_name(req.name)
            assert name not in out, f"{name} listed twice"
            out[name] = str(req.specifier)
    return out


def _exact(spec: str) -> str:
    """The version of a ``==`` pin (and nothing else)."""
    m = re.fullmatch(r"==([0-9][0-9A-Za-z.+-]*)", spec)
    assert m, f"not an exact pin: {spec!r}"
    return m.group(1)


def _installed_collection_version(fqcn: str) -> str:
    """Version of a dependency collection as this suite runs it (the venv's `ansible` package)."""
    ns, name = fqcn.split(".")
    manifest = SITE / "ansible_collections" / ns / name / "MANIFEST.json"
    return json.loads(manifest.read_text())["collection_info"]["version"]


def _galaxy_entries(path: pathlib.Path) -> list[dict[str, Any]]:
    doc = _yaml(path)
    assert set(doc) == {"collections"}, f"{path}: only collections expected, got {sorted(doc)}"
    return doc["collections"]


def _quiet_ansible_env(collections_path: pathlib.Path, cfg: pathlib.Path) -> dict[str, str]:
    """Environment of an ansible-galaxy call that sees only ``collections_path`` and the venv."""
    cfg.write_text("[defaults]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_CONFIG=str(cfg), ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_NOCOLOR="1",
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    return env


def install_source_entries(requirements: pathlib.Path, cwd: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """Install the non-Galaxy entries of a Galaxy requirements file (``source:`` trees, resolved
    from ``cwd`` as ansible-galaxy does) into ``dest``, offline: Galaxy is out of reach here, and
    the Galaxy entries' collections come from the venv's `ansible` package (the image's).
    Returns the installed netops.srx_vpn."""
    local = [e for e in _galaxy_entries(requirements) if e.get("type") in ("dir", "file", "subdirs")]
    assert local, f"{requirements}: no entry installs the collection from its source"
    req = dest.parent / f"{dest.name}-requirements.yml"
    req.write_text(yaml.safe_dump({"collections": local}))
    env = _quiet_ansible_env(dest, dest.parent / f"{dest.name}-ansible.cfg")
    env["ANSIBLE_COLLECTIONS_PATH"] = f"{dest}{os.pathsep}{SITE}"
    _run([_tool("ansible-galaxy"), "collection", "install", "--offline", "-r", str(req), "-p", str(dest)],
         cwd=cwd, timeout=GALAXY_TIMEOUT, env=env)
    installed = dest / "ansible_collections" / "netops" / "srx_vpn"
    assert (installed / "MANIFEST.json").is_file(), f"netops.srx_vpn not installed under {dest}"
    return installed


def _collection_files(installed: pathlib.Path) -> set[str]:
    return {f["name"] for f in json.loads((installed / "FILES.json").read_text())["files"] if f["ftype"] == "file"}


# -- 1. the execution environment's build context ----------------------------------------------
@dataclass
class Context:
    definition: dict[str, Any]
    path: pathlib.Path

    @property
    def build(self) -> pathlib.Path:
        return self.path / "_build"


def builder_create(work: pathlib.Path) -> Context:
    """``ansible-builder create`` of the repository's execution-environment.yml into ``work``."""
    ctx = work / "context"
    _run([_tool("ansible-builder"), "create", "--file", str(EE_FILE), "--context", str(ctx),
          "--output-filename", "Containerfile", "-v", "1"], cwd=work, timeout=BUILDER_TIMEOUT)
    return Context(_yaml(EE_FILE), ctx)


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Context:
    return builder_create(tmp_path_factory.mktemp("ee"))


def _definition_file(ctx: Context, key: str) -> pathlib.Path:
    value = ctx.definition["dependencies"][key]
    assert isinstance(value, str), f"dependencies.{key} should name a file, got {value!r}"
    return REPO / value


def test_definition_is_ansible_builder_3(context: Context) -> None:
    from ansible_builder.ee_schema import validate_schema

    assert context.definition["version"] == 3
    validate_schema(copy.deepcopy(context.definition))   # raises on any key ansible-builder 3 refuses
    deps = context.definition["dependencies"]
    assert {"ansible_core", "ansible_runner", "galaxy", "python", "system"} <= set(deps), sorted(deps)


def test_containerfile_names_the_base_image_and_the_core_pins(context: Context) -> None:
    containerfile = context.path / "Containerfile"
    assert containerfile.is_file(), f"no Containerfile in {context.path}"
    text = containerfile.read_text()
    base = context.definition["images"]["base_image"]["name"]
    assert re.fullmatch(r"[\w.-]+(:\d+)?/[\w./-]+:[\w.-]+", base), f"base image not a pinned reference: {base!r}"
    assert f'ARG EE_BASE_IMAGE="{base}"' in text, text[:600]
    assert "FROM $EE_BASE_IMAGE AS base" in text

    repo_pins = _pins((REPO / "requirements.txt").read_text())
    core = _pins(context.definition["dependencies"]["ansible_core"]["package_pip"])
    runner = _pins(context.definition["dependencies"]["ansible_runner"]["package_pip"])
    assert core == {"ansible-core": repo_pins["ansible-core"]}, (core, repo_pins["ansible-core"])
    assert runner == {"ansible-runner": repo_pins["ansible-runner"]}, (runner, repo_pins.get("ansible-runner"))
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="([^"]*)"$', text, re.MULTILINE)
    assert refs, "no ANSIBLE_INSTALL_REFS in the Containerfile"
    assert _pins("\n".join(refs.group(1).split())) == {**core, **runner}
    # ansible-core and ansible-runner are the venv's too: the image runs what this suite runs
    for name, spec in {**core, **runner}.items():
        assert importlib.metadata.version(name) == _exact(spec), name
    python = context.definition["dependencies"]["python_interpreter"]["python_path"]
    assert f'ARG PYCMD="{python}"' in text


def test_python_requirements_are_the_declared_pins(context: Context) -> None:
    declared = _pins(_definition_file(context, "python").read_text())
    in_context = _pins((context.build / "requirements.txt").read_text())
    assert in_context == declared
    repo_pins = _pins((REPO / "requirements.txt").read_text())
    for name, spec in declared.items():
        version = _exact(spec)
        assert importlib.metadata.version(name) == version, f"{name}: the suite runs {importlib.metadata.version(name)}"
        if name in repo_pins:
            assert repo_pins[name] == spec, f"{name}: requirements.txt pins {repo_pins[name]}, the EE {spec}"
    # the test and lint toolchain stays out of the image
    assert not set(declared) & {"pytest", "pytest-xdist", "molecule", "ansible-lint", "yamllint", "ruff",
                                "ansible-builder", "antsibull-changelog", "asyncssh", "junos-eznc", "ansible"}
    excluded = (context.build / "exclude-requirements.txt").read_text().split()
    assert sorted(excluded) == sorted(context.definition["dependencies"]["exclude"]["python"])


def test_system_requirements_are_the_declared_bindep(context: Context) -> None:
    in_context = (context.build / "bindep.txt").read_text()
    assert in_context == _definition_file(context, "system").read_text()
    rpm = sorted(rule[0] for rule in Depends(in_context).active_rules(["platform:rpm"]))   # bindep's parser
    assert rpm == ["libxml2", "libxslt", "openssh-clients"], rpm
    excluded = (context.build / "exclude-bindep.txt").read_text().split()
    assert sorted(excluded) == sorted(context.definition["dependencies"]["exclude"]["system"])


def test_galaxy_requirements_are_the_tested_collections(context: Context) -> None:
    declared = _galaxy_entries(_definition_file(context, "galaxy"))
    assert _galaxy_entries(context.build / "requirements.yml") == declared
    galaxy = {e["name"]: e for e in declared if e.get("type", "galaxy") == "galaxy"}
    assert {n: e["version"] for n, e in galaxy.items()} == {
        "junipernetworks.junos": "11.0.0", "ansible.netcommon": "8.5.3", "ansible.utils": "6.0.3"}
    for name, entry in galaxy.items():
        assert entry["version"] == _installed_collection_version(name), f"{name}: the suite runs another version"
    own = [e for e in declared if e.get("name") == "netops.srx_vpn"]
    assert own == [{"name": "netops.srx_vpn", "type": "dir", "source": "."}], own
    # galaxy.yml's dependencies are met by the pins
    for name, spec in _yaml(REPO / "galaxy.yml")["dependencies"].items():
        assert name in galaxy, f"galaxy.yml depends on {name}, the EE does not install it"
        assert SpecifierSet(spec).contains(galaxy[name]["version"]), (name, spec, galaxy[name]["version"])


# imports of the collection's plugins -> distributions
def _plugin_imports(root: pathlib.Path = REPO) -> dict[str, set[str]]:
    """Top-level names the plugins under ``root`` import (absolute imports, plus the modules
    named in their DOCUMENTATION ``requirements``), each with the files that need it."""
    found: dict[str, set[str]] = {}
    for path in sorted((root / "plugins").rglob("*.py")):
        rel = str(path.relative_to(root))
        tree = ast.parse(path.read_text(), filename=rel)
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "DOCUMENTATION"
                                                       for t in node.targets)
                  and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                doc = yaml.safe_load(node.value.value) or {}
                names = [str(r).split()[0] for r in doc.get("requirements") or []]
            for name in names:
                top = name if name.startswith("ansible_collections.") else name.split(".")[0]
                found.setdefault(top, set()).add(rel)
    return found


def _third_party(imports: dict[str, set[str]], root: pathlib.Path = REPO) -> dict[str, set[str]]:
    local = {p.stem for p in (root / "plugins").rglob("*.py")}
    return {n: f for n, f in imports.items()
            if not n.startswith("ansible_collections.") and n not in sys.stdlib_module_names and n not in local
            and n != "__future__"}


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def _distribution(module: str) -> str:
    dists = _distributions().get(module)
    assert dists, f"import {module!r}: no installed distribution provides it"
    return canonicalize_name(dists[0])


def test_every_library_the_plugins_import_is_in_the_image(context: Context) -> None:
    imports = _plugin_imports()
    third = _third_party(imports)
    assert {"ansible", "lxml", "ncclient", "netaddr"} <= set(third), sorted(third)   # the walk sees them
    ee_python = set(_pins((context.build / "requirements.txt").read_text()))
    core = {canonicalize_name(Requirement(r).name) for r in importlib.metadata.requires("ansible-core") or []}
    in_image = ee_python | core | {"ansible-core"}
    missing = {m: sorted(files) for m, files in third.items() if _distribution(m) not in in_image}
    assert not missing, ("libraries the plugins import that the execution environment does not install "
                         f"(add them to {context.definition['dependencies']['python']}): {missing}")
    excluded = {canonicalize_name(n) for n in context.definition["dependencies"]["exclude"]["python"]}
    assert not {m for m in third if _distribution(m) in excluded}, "an excluded library is imported"

    # every collection the plugins import from is installed by the Galaxy requirements
    galaxy = {e["name"] for e in _galaxy_entries(context.build / "requirements.yml")}
    used = {".".join(n.split(".")[1:3]) for n in imports if n.startswith("ansible_collections.")}
    assert used - galaxy == set(), f"plugins import collections the image lacks: {sorted(used - galaxy)}"

    # and nothing in the image's Python requirements is there without a reason: a plugin needs
    # it, or a dependency collection lists it
    needed = {_distribution(m) for m in third}
    for fqcn in galaxy - {"netops.srx_vpn"}:
        ns, name = fqcn.split(".")
        reqs = SITE / "ansible_collections" / ns / name / "requirements.txt"
        if reqs.is_file():
            needed |= {canonicalize_name(Requirement(line).name) for line in reqs.read_text().splitlines()
                       if line.strip() and not line.lstrip().startswith("#")}
    assert ee_python - needed == set(), f"not needed by the collection at run time: {sorted(ee_python - needed)}"


def test_plugin_import_walk_sees_a_new_library(tmp_path: pathlib.Path) -> None:
    """The walk above is what fails when a plugin starts importing a library: it finds a
    top-level import, a ``from`` import and a DOCUMENTATION requirement, and maps them."""
    src = 'DOCUMENTATION = """\nrequirements: [jxmlease]\n"""\nimport yaml\nfrom jnpr.junos import Device\n'
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "x.py").write_text(src)
    third = _third_party(_plugin_imports(tmp_path), tmp_path)
    assert {m: _distribution(m) for m in third} == {"yaml": "pyyaml", "jnpr": "junos-eznc", "jxmlease": "jxmlease"}


def test_image_installs_the_collection_as_built_from_the_repository(tmp_path: pathlib.Path) -> None:
    """The Galaxy stage installs `source: .` in /build (the context's _build): the same files as
    the collection installed from the repository's root (what an AWX project sync installs)."""
    context = builder_create(tmp_path)      # its own context: compared with the tree as it is now
    from_repo = install_source_entries(REPO / "collections" / "requirements.yml", REPO, tmp_path / "repo")
    from_context = install_source_entries(context.build / "requirements.yml", context.build, tmp_path / "ee")
    ee_files, repo_files = _collection_files(from_context), _collection_files(from_repo)
    assert repo_files - ee_files == set(), \
        "collection files the build context lacks (add them to additional_build_files): " \
        f"{sorted(repo_files - ee_files)}"
    builder_own = {p.name for p in context.build.iterdir() if p.is_file()} - {p.name for p in REPO.iterdir()}
    assert ee_files - repo_files <= builder_own, sorted(ee_files - repo_files - builder_own)
    assert json.loads((from_context / "MANIFEST.json").read_text())["collection_info"]["version"] == \
        _yaml(REPO / "galaxy.yml")["version"]


    # The image's builder stage: ansible-builder's introspection of the installed collections
    # (this one from the context, the dependencies at their pinned versions) merged with the
    # user files and the exclusions, as the Containerfile runs it. The collection's own
    # meta/execution-environment.yml must bring its pins; the exclusions must hold.
    tree = tmp_path / "introspect" / "ansible_collections"
    for fqcn in [e["name"] for e in _galaxy_entries(context.build / "requirements.yml")]:
        ns, name = fqcn.split(".")
        (tree / ns).mkdir(parents=True, exist_ok=True)
        (tree / ns / name).symlink_to(
            from_context if fqcn == "netops.srx_vpn" else SITE / "ansible_collections" / ns / name)
    pip_out, bindep_out = tmp_path / "introspect-pip.txt", tmp_path / "introspect-bindep.txt"
    b = context.build
    _run([_tool("ansible-builder"), "introspect", "--sanitize", str(tree.parent),
          "--user-pip", str(b / "requirements.txt"), "--user-bindep", str(b / "bindep.txt"),
          "--exclude-pip-reqs", str(b / "exclude-requirements.txt"),
          "--exclude-bindep-reqs", str(b / "exclude-bindep.txt"),
          "--write-pip", str(pip_out), "--write-bindep", str(bindep_out)], cwd=tmp_path, timeout=BUILDER_TIMEOUT)
    pip_lines = [ln.split("#") for ln in pip_out.read_text().splitlines() if "#" in ln]
    own = {canonicalize_name(Requirement(req).name): str(Requirement(req).specifier)
           for req, origin in pip_lines if origin.strip() == "from collection netops.srx_vpn"}
    assert own == _pins((b / "requirements.txt").read_text()), f"meta/execution-environment.yml not introspected: {own}"
    names = {canonicalize_name(Requirement(req).name) for req, _origin in pip_lines}
    excluded = {canonicalize_name(n) for n in context.definition["dependencies"]["exclude"]["python"]}
    assert not names & excluded, sorted(names & excluded)
    rpm = {rule[0] for rule in Depends(bindep_out.read_text()).active_rules(["platform:rpm"])}
    assert {"libxml2", "libxslt", "openssh-clients"} <= rpm, sorted(rpm)
    assert not rpm & set(context.definition["dependencies"]["exclude"]["system"]), sorted(rpm)


# -- 2. deploy_vpn.yml through ansible-runner ---------------------------------------------------
@dataclass
class Job:
    name: str
    status: str
    rc: int
    events: list[dict[str, Any]]
    stats: dict[str, dict[str, int]]
    artifacts: pathlib.Path
    stdout: str
    seconds: float

    def deploy_events(self, kind: str = "runner_on_ok") -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("event") == kind
                and e.get("event_data", {}).get("resolved_action", e.get("event_data", {}).get("task_action"))
                == DEPLOY_TASK]

    def deploy_result(self) -> dict[str, Any]:
        found = self.deploy_events()
        assert len(found) == 1, f"{self.name}: {len(found)} runner_on_ok events of {DEPLOY_TASK}\n{self.describe()}"
        return found[0]["event_data"]["res"]

    def describe(self) -> str:
        return f"job {self.name}: status={self.status} rc={self.rc} ({self.seconds:.1f} s)\n{self.stdout[-5000:]}"


@dataclass(repr=False)
class AwxJob:
    """A private data directory laid out as AWX lays out a job's, for the lab pair."""

    lab: Lab
    inv: Inventory
    pdd: pathlib.Path
    vault_password: str
    factory: dict[str, Snapshot]

    @property
    def project(self) -> pathlib.Path:
        return self.pdd / "project"

    def run(self, name: str, cmdline: str, inventory: pathlib.Path | None = None,
            credential: dict[str, str] | None = None) -> Job:
        """One job: ``cmdline`` as AWX builds it from the job template (job type, credentials);
        ``credential``: the extra vars a custom credential type injects (AWX adds them to
        ``env/extravars``)."""
        extravars = self.pdd / "env" / "extravars"
        base = extravars.read_text()
        if credential:
            extravars.write_text(yaml.safe_dump({**yaml.safe_load(base), **credential}))
        start = time.monotonic()
        try:
            runner = ansible_runner.run(private_data_dir=str(self.pdd), playbook="deploy_vpn.yml", ident=name,
                                        inventory=str(inventory or self.inv.path), cmdline=cmdline, quiet=True)
        finally:
            extravars.write_text(base)
        artifacts = self.pdd / "artifacts" / name
        events = [json.loads(p.read_text()) for p in sorted((artifacts / "job_events").glob("*.json"))]
        events.sort(key=lambda e: e.get("counter", 0))
        stats = next((e["event_data"] for e in events if e.get("event") == "playbook_on_stats"), {})
        stdout = (artifacts / "stdout").read_text(errors="replace") if (artifacts / "stdout").exists() else ""
        return Job(name, runner.status, runner.rc, events, stats, artifacts, stdout, time.monotonic() - start)

    def static_inventory(self, name: str) -> pathlib.Path:
        """The lab pair as a real fleet's inventory in AWX: static hosts (address, port, NETCONF
        connection), the same host_vars and intent, no device credentials (the job's credential
        brings them) and no vault (an inventory sync cannot decrypt one: the keys' vault sits
        next to the playbook, see ``playbook_vault``)."""
        path = self.pdd / name
        shutil.copytree(self.inv.path, path, ignore=shutil.ignore_patterns("srxlab.yml", "vault.yml"))
        hosts = {n: {"ansible_host": self.lab.device(n).host, "ansible_port": self.lab.device(n).port} for n in PAIR}
        (path / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": {"srx": {"hosts": hosts, "vars": {
            "ansible_connection": "ansible.netcommon.netconf",
            "ansible_network_os": "junipernetworks.junos.junos"}}}}}, sort_keys=False))
        return path

    @contextlib.contextmanager
    def playbook_vault(self) -> Iterator[pathlib.Path]:
        """The keys' vault in the project, next to the playbook (playbooks/group_vars/all/), for
        the duration of a job."""
        target = self.project / "playbooks" / "group_vars" / "all" / "vault.yml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.inv.path / "group_vars" / "all" / "vault.yml", target)
        try:
            yield target
        finally:
            shutil.rmtree(self.project / "playbooks" / "group_vars")

    def device_login(self) -> tuple[str, str]:
        users = {(self.lab.device(n).username, self.lab.device(n).password) for n in PAIR}
        assert len(users) == 1, "the lab's devices share one login"
        return users.pop()

    def secrets(self) -> list[str]:
        return [*self.inv.psks.values(), self.vault_password, self.device_login()[1]]


def _project_copy(dest: pathlib.Path) -> None:
    """The files a project sync checks out: what git tracks (and new files not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file() and not src.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


@pytest.fixture(scope="module")
def awx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwxJob]:
    lab = Lab("seed-pair", "awx")
    control = pathlib.Path(tempfile.mkdtemp(prefix="apc."))       # short: unix sockets
    try:
        lab.up()
        pdd = tmp_path_factory.mktemp("awx-job")
        # inventory/: the lab's devices (srxlab inventory plugin), host_vars, the intent and
        # its vault, written like every deploy test's (helpers.Inventory)
        inv = lab_inventory_copy(lab, pdd, new_psk())
        assert inv.path == pdd / "inventory"
        vault_password = inv.vault_pass.read_text().strip()
        inv.vault_pass.unlink()            # AWX keeps the Vault credential's secret out of the job folder
        # project/: the SCM checkout; the project sync installs collections/requirements.yml's
        # netops.srx_vpn (`source: .`, from the project's root) into requirements_collections
        _project_copy(pdd / "project")
        install_source_entries(pdd / "project" / "collections" / "requirements.yml", pdd / "project",
                               pdd / "requirements_collections")
        env = pdd / "env"
        env.mkdir()
        (env / "envvars").write_text(yaml.safe_dump({
            # AWX: the synced project's collections first, then the image's (here the venv's)
            "ANSIBLE_COLLECTIONS_PATH": str(pdd / "requirements_collections"),
            "ANSIBLE_PERSISTENT_CONTROL_PATH_DIR": str(control),
            "ANSIBLE_LOCAL_TEMP": str(pdd / "tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",     # the image's ansible-playbook
            "SRXLAB_TIME_SCALE": lab.env["SRXLAB_TIME_SCALE"],
        }))
        (env / "extravars").write_text(yaml.safe_dump({"srx_vpn_verify_timeout": 15}))
        (env / "passwords").write_text(yaml.safe_dump({VAULT_PROMPT: vault_password}))
        (env / "passwords").chmod(0o600)
        (env / "settings").write_text(yaml.safe_dump({"job_timeout": JOB_TIMEOUT, "idle_timeout": JOB_TIMEOUT}))
        yield AwxJob(lab, inv, pdd, vault_password, lab.snapshots(PAIR))
    finally:
        lab.down()
        shutil.rmtree(control, ignore_errors=True)


def _assert_no_secret(job: Job, awx: AwxJob) -> None:
    files = [p for p in job.artifacts.rglob("*") if p.is_file()]
    assert any(p.parent.name == "job_events" for p in files) and (job.artifacts / "stdout").is_file()
    found = []
    for path in files:
        found += secrets_in(path.read_text(errors="replace"), awx.secrets(), str(path.relative_to(awx.pdd)))
    assert not found, "secrets in the job's artifacts:\n" + "\n".join(found[:10])


def _assert_successful(job: Job) -> None:
    assert job.status == "successful" and job.rc == 0, job.describe()
    assert job.stats.get("failures") == {} and job.stats.get("dark") == {}, (job.stats, job.describe())


def test_deploy_through_ansible_runner_like_awx(awx: AwxJob) -> None:
    lab, inv = awx.lab, awx.inv
    first = awx.run("deploy-1", "--ask-vault-pass")
    _assert_successful(first)
    # the playbook came from the project, the collection's roles from the project sync's install
    synced = awx.pdd / "requirements_collections" / "ansible_collections" / "netops" / "srx_vpn"
    paths = {e["event_data"]["task_path"].rsplit(":", 1)[0] for e in first.events
             if e.get("event") == "playbook_on_task_start"}
    assert paths and all(pathlib.Path(p).is_relative_to(awx.project) or pathlib.Path(p).is_relative_to(synced)
                         for p in paths), paths
    assert any(pathlib.Path(p).is_relative_to(synced / "roles" / "plan") for p in paths), paths
    res = first.deploy_result()
    assert res["changed"] is True and not res.get("failed"), res.get("msg")
    assert res["tunnels"][TUNNEL]["outcome"] == "changed-verified", res["tunnels"]
    assert {n: res["devices"][n]["action"] for n in PAIR} == {n: "confirmed" for n in PAIR}, res["devices"]
    # the playbook_on_stats counters: the plan and the deploy run once, on the play's first host
    assert first.stats["changed"] == {PAIR[0]: 1}, first.stats
    assert set(first.stats["ok"]) == set(first.stats["processed"]) == {PAIR[0]}, first.stats
    # the report lands in the project's reports/ (playbook_dir/../reports), named in the result
    report = awx.project / "reports" / "vpn_status.json"
    assert res["report"]["json"] == str(report), res["report"]
    data = json.loads(report.read_text())
    assert data["run"]["run_id"] == res["run_id"]
    assert data["run"]["outcomes"][TUNNEL]["outcome"] == "changed-verified"

    # on the devices: one commit confirmed and its confirm each, the tunnel up on both ends
    deployed = lab.snapshots(PAIR)
    for n in PAIR:
        logs = [c.get("log", "") for c in new_commits(awx.factory[n], deployed[n])]
        assert logs == [f"netops.srx_vpn run {res['run_id']}: confirmed",
                        f"netops.srx_vpn run {res['run_id']}: commit confirmed"], (n, logs)
    assert wait_tunnel(lab, inv, TUNNEL, timeout=30) == []
    _assert_no_secret(first, awx)

    # the same job again as docs/awx.md sets it up for a real fleet: a static inventory without
    # credentials or vault, the keys' vault next to the playbook, the NETCONF login from a custom
    # credential type: nothing to do
    user, password = awx.device_login()
    with awx.playbook_vault():
        second = awx.run("deploy-2", "--ask-vault-pass", inventory=awx.static_inventory("inventory-static"),
                         credential={"ansible_user": user, "ansible_password": password})
    _assert_successful(second)
    assert second.stats["changed"] == {} and set(second.stats["ok"]) == {PAIR[0]}, second.stats
    res = second.deploy_result()
    assert res["changed"] is False and res["tunnels"][TUNNEL]["outcome"] == "unchanged", res["tunnels"]
    assert {n: s.commits for n, s in lab.snapshots(PAIR).items()} == {n: s.commits for n, s in deployed.items()}
    _assert_no_secret(second, awx)

    # the "check" job type (--check --diff) previews a change and commits nothing
    tunnels = copy.deepcopy(inv.tunnels)
    tunnels[0]["ike"]["dpd"]["interval"] = 20
    inv.set_tunnels(tunnels)
    check = awx.run("check", "--ask-vault-pass --check --diff")
    _assert_successful(check)
    res = check.deploy_result()
    assert res["changed"] is True and "nothing committed" in res["msg"], res.get("msg")
    diffs = "\n".join(d.get("prepared", "") for d in res.get("diff") or [])
    assert "interval 20" in diffs, diffs
    after = lab.snapshots(PAIR)
    for n in PAIR:
        assert after[n].commits == deployed[n].commits, f"{n}: the check job committed: {after[n].commits[:2]}"
        assert after[n].config == deployed[n].config, f"{n}: the check job changed the configuration"
    _assert_no_secret(check, awx)


def test_machine_credential_login(awx: AwxJob) -> None:
    """What an AWX Machine credential does with a username and password: ``-u USER`` and the
    answer to the ``--ask-pass`` prompt. The deploy must reach the devices with them."""
    user, password = awx.device_login()
    passwords = awx.pdd / "env" / "passwords"
    base = passwords.read_text()
    passwords.write_text(yaml.safe_dump({**yaml.safe_load(base), r"SSH password:\s*?$": password}))
    try:
        with awx.playbook_vault():
            job = awx.run("machine-credential", f"--ask-vault-pass -u {user} --ask-pass",
                          inventory=awx.static_inventory("inventory-machine"))
    finally:
        passwords.write_text(base)
    _assert_no_secret(job, awx)
    ended = job.deploy_events("runner_on_ok") + job.deploy_events("runner_on_failed")
    assert len(ended) == 1, job.describe()
    devices = ended[0]["event_data"]["res"]["devices"]
    assert not any(d["action"] == "unreachable" for d in devices.values()), devices
    _assert_successful(job)


def test_a_vault_next_to_the_playbook_stays_out_of_the_collection(tmp_path: pathlib.Path) -> None:
    """docs/awx.md puts a site's keys' vault at playbooks/group_vars/all/vault.yml (an AWX
    inventory sync cannot decrypt one): galaxy.yml's build_ignore keeps it out of the
    collection, so neither the tarball nor the image's installed collection carries it."""
    src = tmp_path / "src"
    for rel in ("galaxy.yml", "README.md", "meta/runtime.yml", "playbooks/deploy_vpn.yml"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, src / rel)
    vault = src / "playbooks" / "group_vars" / "all" / "vault.yml"
    vault.parent.mkdir(parents=True)
    vault.write_text("$ANSIBLE_VAULT;1.1;AES256\n00\n")
    env = _quiet_ansible_env(tmp_path / "colls", tmp_path / "ansible.cfg")
    _run([_tool("ansible-galaxy"), "collection", "build", "--output-path", str(tmp_path / "dist"), str(src)],
         cwd=tmp_path, timeout=GALAXY_TIMEOUT, env=env)
    with tarfile.open(next((tmp_path / "dist").glob("*.tar.gz"))) as tar:
        names = set(tar.getnames())
    assert "playbooks/deploy_vpn.yml" in names, sorted(names)
    assert not any(n.startswith("playbooks/group_vars") for n in names), sorted(names)
