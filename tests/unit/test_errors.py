"""The one exception root (kexue/core/errors.py): its tree is listed, tasks tell a KexueError in
one line and exit 1, and anything else (a bug) keeps its traceback."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from invoke import Context, Exit

import kexue
import kexue.legacy.importer as importer
import tasks
from kexue.core import errors
from kexue.core.errors import KexueError


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def test_the_docstring_lists_the_whole_tree_with_each_class_module():
    for info in pkgutil.walk_packages(kexue.__path__, "kexue."):
        importlib.import_module(info.name)
    listed = dict(
        re.findall(r"([A-Z]\w+Error)\b[^\n]*?\s(kexue\.[\w.]+|\(this module\))", errors.__doc__)
    )
    classes = {KexueError, *_all_subclasses(KexueError), errors.BuildRefusedError}
    defined = {c.__name__: c.__module__ for c in classes}
    assert set(listed) == set(defined)
    for name, module in defined.items():
        assert listed[name] in (module, "(this module)"), name


def test_every_input_error_is_still_a_value_error():
    """Callers that caught ValueError for bad input still do."""
    assert issubclass(errors.InputError, ValueError)
    assert issubclass(errors.ToolError, RuntimeError)


def test_a_task_given_bad_input_says_one_line_and_exits_1(tmp_path):
    with pytest.raises(Exit) as caught:
        tasks.import_legacy(Context(), path=str(tmp_path), content=str(tmp_path / "content"))
    assert caught.value.code == 1
    message = caught.value.message
    assert message.startswith("invoke import-legacy: ") and "\n" not in message
    assert f"{tmp_path / 'blogs_raw'} not found" in message


def test_a_bad_crawl_option_says_one_line_and_exits_1(tmp_path):
    with pytest.raises(Exit) as caught:
        tasks.crawl(Context(), via="carrier-pigeon", content=str(tmp_path), cache=str(tmp_path))
    assert caught.value.code == 1
    assert caught.value.message == (
        "invoke crawl: --via must be http or browser, not 'carrier-pigeon'"
    )


def test_a_bug_is_not_swallowed(tmp_path, monkeypatch):
    """A ValueError that is not a KexueError is a bug: it reaches the operator whole."""

    def broken(*args, **kwargs):
        raise ValueError("a bug deep in the import")

    monkeypatch.setattr(importer, "import_legacy", broken)
    with pytest.raises(ValueError, match="a bug deep in the import"):
        tasks.import_legacy(Context(), path=str(tmp_path))
