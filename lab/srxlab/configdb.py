"""The Junos configuration database of one device: committed, shared candidate,
rollbacks 0..49, commit history, persisted under the lab's state directory.

Rollback N is the configuration as it was N commits ago (rollback 0 = committed). Each
commit is written as a `set` file plus one line of history metadata, so a restart of the
lab keeps committed config and history.
"""
from __future__ import annotations

import json
import os
import pathlib
import time
from dataclasses import asdict, dataclass

from . import config as C

MAX_ROLLBACK = 49


@dataclass
class Commit:
    seq: int                 # ever-increasing commit number on this device
    user: str
    client: str              # netconf | cli | other
    epoch: float
    comment: str = ""
    confirm_minutes: int = 0  # >0 for `commit confirmed N`
    kind: str = "commit"      # commit | rollback (automatic rollback of an unconfirmed commit)

    @property
    def file(self) -> str:
        return f"commit-{self.seq}.set"


def junos_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


class ConfigDB:
    def __init__(self, directory: pathlib.Path, factory_config: str, host_name: str, version: str):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.history: list[Commit] = []       # newest first
        self._configs: dict[int, C.Node] = {}  # seq -> tree (cache of the files)
        if (self.dir / "history.json").exists():
            self._load()
        else:
            tree = C.Node()
            errors = [e for e in C.load_set(tree, factory_config) if e.severity == "error"]
            if errors:
                raise ValueError(f"{host_name}: factory_config: {errors[0].message}: {errors[0].statement}")
            tree.children["version"] = C.Leaf(version)
            self._record(tree, Commit(seq=1, user="root", client="other", epoch=time.time(),
                                      comment="factory configuration"))
        self.candidate = self.committed.copy()

    # -- queries --------------------------------------------------------------------------
    @property
    def committed(self) -> C.Node:
        return self.rollback(0)

    def rollback(self, n: int) -> C.Node:
        if not 0 <= n < len(self.history):
            raise IndexError(n)
        seq = self.history[n].seq
        tree = self._configs.get(seq)
        if tree is None:
            tree = C.Node()
            C.load_set(tree, (self.dir / self.history[n].file).read_text())
            self._configs[seq] = tree
        return tree

    # -- changes --------------------------------------------------------------------------
    def commit(self, tree: C.Node, user: str, client: str, comment: str = "",
               confirm_minutes: int = 0, kind: str = "commit") -> Commit:
        seq = self.history[0].seq + 1
        rec = Commit(seq=seq, user=user, client=client, epoch=time.time(), comment=comment,
                     confirm_minutes=confirm_minutes, kind=kind)
        self._record(tree.copy(), rec)
        return rec

    def _record(self, tree: C.Node, rec: Commit) -> None:
        (self.dir / rec.file).write_text(C.to_set(tree))
        self._configs[rec.seq] = tree
        self.history.insert(0, rec)
        for old in self.history[MAX_ROLLBACK + 1:]:
            self._configs.pop(old.seq, None)
            try:
                (self.dir / old.file).unlink()
            except FileNotFoundError:
                pass
        del self.history[MAX_ROLLBACK + 1:]
        # keep only the last few trees in memory; older ones reload from disk on demand
        for old in self.history[3:]:
            self._configs.pop(old.seq, None)
        self._save()

    def _save(self) -> None:
        tmp = self.dir / "history.json.tmp"
        tmp.write_text(json.dumps([asdict(c) for c in self.history]))
        os.replace(tmp, self.dir / "history.json")

    def _load(self) -> None:
        self.history = [Commit(**c) for c in json.loads((self.dir / "history.json").read_text())]
