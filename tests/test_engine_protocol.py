"""The routes' view of an engine (service.engine_protocol.EngineProtocol): the real Engine and the
tests' fake engine both satisfy it, member by member and signature by signature."""
from __future__ import annotations

import inspect

import pytest

from service.engine import Engine
from service.engine_protocol import EngineProtocol
from tests.utils.api import make_settings
from tests.utils.fake_engine import FakeEngine

PROTOCOL_METHODS = ("ask", "documents", "find_by_docnum", "get_document", "search")
PROTOCOL_PROPERTIES = ("chunks", "model_name")


def signature_gaps(protocol_method, method) -> list[str]:
    """How `method` fails to accept every call the protocol allows: a parameter missing or of
    another kind or default, or an extra one without a default."""
    want = inspect.signature(protocol_method).parameters
    have = inspect.signature(method).parameters
    gaps = []
    for name, p in want.items():
        q = have.get(name)
        if q is None:
            gaps.append(f"no parameter {name}")
        elif (q.kind, q.default) != (p.kind, p.default):
            gaps.append(f"{name}: {q.kind.name}={q.default!r}, not {p.kind.name}={p.default!r}")
    gaps += [f"extra parameter {n} without a default" for n, q in have.items()
             if n not in want and q.default is inspect.Parameter.empty
             and q.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    return gaps


def test_the_protocol_lists_what_the_routes_use():
    members = {n for n in vars(EngineProtocol) if not n.startswith("_")}
    assert members == {*PROTOCOL_METHODS, *PROTOCOL_PROPERTIES}


def test_the_gap_finder_sees_a_wrong_signature():
    def search(self, query, k=5, filters=None, mode="hybrid", timings=None): ...

    def ask(self, question, history=None, top_k=None, filters=None, mode="hybrid", *, strict): ...

    assert signature_gaps(EngineProtocol.search, search) == [
        "k: POSITIONAL_OR_KEYWORD=5, not POSITIONAL_OR_KEYWORD=10"]
    assert signature_gaps(EngineProtocol.ask, ask) == ["extra parameter strict without a default"]
    assert signature_gaps(EngineProtocol.get_document, lambda self: None) == ["no parameter doc_id"]


@pytest.mark.parametrize("engine_class", [Engine, FakeEngine])
@pytest.mark.parametrize("name", PROTOCOL_METHODS)
def test_engine_methods_accept_every_call_the_protocol_allows(engine_class, name):
    assert signature_gaps(getattr(EngineProtocol, name), getattr(engine_class, name)) == []


def test_engine_properties_are_read_only_properties():
    assert all(isinstance(vars(Engine)[name], property) for name in PROTOCOL_PROPERTIES)


def test_the_real_and_the_fake_engine_are_instances(fake_engine, tmp_path):
    assert isinstance(fake_engine, Engine) and isinstance(fake_engine, EngineProtocol)
    assert isinstance(FakeEngine(make_settings(tmp_path)), EngineProtocol)
    assert not isinstance(object(), EngineProtocol)
