"""Action plugins run as Ansible runs them: a real Task, PlayContext, DataLoader, Templar and
the ``local`` connection plugin (an action that never contacts a device still gets one)."""
from __future__ import annotations

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import connection_loader
from ansible.template import Templar


@pytest.fixture
def make_action():
    def make(action_class, args, check_mode=False, **play_context):
        task = Task.load({"action": "ansible.builtin.debug", "args": {}})
        task.args = args
        task.check_mode = check_mode
        pc = PlayContext()
        for key, value in play_context.items():
            setattr(pc, key, value)
        loader = DataLoader()
        conn = connection_loader.get("local", pc, None)
        return action_class(task, conn, pc, loader, Templar(loader=loader), None)
    return make
