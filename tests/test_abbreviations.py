"""Short names a document defines for itself, read from the text (no model loaded)."""
from __future__ import annotations

import pytest

from service.abbreviations import NameTable, defined_abbreviations, full_name


@pytest.mark.parametrize("text, table", [
    ("第二条 聊城市国土空间规划委员会（以下简称市规委会）统筹指导。", {"市规委会": "市国土空间规划委员会"}),
    ("市规委会会议分为全体委员会议（简称全委会）、市规划审查会。", {"全委会": "全体委员会议"}),
    ("市国土空间规划专家委员会（简称“市规划专家委员会”）。", {"市规划专家委员会": "市国土空间规划专家委员会"}),
    ("某县人民政府办公室（以下简称“县府办”）负责。", {"县府办": "县人民政府办公室"}),  # any issuer
    # a short name that is a piece of its full name adds nothing; ASCII short names are left alone
    ("为充分发挥经济开发区（以下简称开发区）的示范作用", {}),
    ("12345 政务服务便民热线（以下简称 12345）与110对接", {}),
    # no full name holds the short name's characters in order
    ("明确专门机构承担有关工作（以下简称“市排污权管理服务机构”）", {}),
])
def test_defined_abbreviations(text, table):
    assert defined_abbreviations([text]) == table


def test_the_shortest_full_name_inside_the_clause():
    assert full_name("市规委会会议分为全体委员会议", "全委会") == "全体委员会议"
    assert full_name("分为，全体会议", "全委会") is None  # 委 is not there


def test_a_text_is_matched_with_the_other_name_too():
    table = NameTable({"市规委会": "市国土空间规划委员会"})
    assert table.spelled_out("市规委会主任委员由市长担任") == "市规委会主任委员由市长担任 市国土空间规划委员会"
    assert table.spelled_out("市国土空间规划委员会负责") == "市国土空间规划委员会负责 市规委会"
    assert table.spelled_out("市长担任") == "市长担任"
    assert NameTable({}).spelled_out("市长担任") == "市长担任"


def test_coverage_counts_a_defined_short_name_as_its_full_name():
    from service.evidence import TermStats, coverage

    stats = TermStats.of(["聊城市国土空间规划委员会（以下简称市规委会）统筹协调。", "市规委会主任委员由市长担任。", "其他内容。"])
    assert stats.abbreviations == {"市规委会": "市国土空间规划委员会"}
    terms = ("国土", "空间规划", "委员会", "主任委员")
    assert coverage(terms, "市规委会主任委员由市长担任。", stats) == 1.0
    assert coverage(terms, "市规委会主任委员由市长担任。", TermStats(stats.idf, stats.default)) < 0.5


def test_search_and_ask_give_bm25_the_same_query_with_the_other_name(fake_engine, monkeypatch):
    """/api/search used to miss the short name that ask adds: the same question ranked differently."""
    seen: list[str] = []
    search = fake_engine.retriever.search

    def spy(query, **kw):
        seen.append(kw.get("lexical_query"))
        return search(query, **kw)

    monkeypatch.setattr(fake_engine.retriever, "search", spy)
    question = "市国土空间规划委员会办公室在哪个单位？"
    fake_engine.search(question)
    fake_engine.ask(question)
    assert seen[0] == seen[-1] == "市国土空间规划委员会办公室在哪个单位？ 市规委会"
