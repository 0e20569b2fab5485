"""People named by the corpus' 任免 notices stay whole key terms (no model loaded)."""
from __future__ import annotations

from types import SimpleNamespace

from service.people import appointed_people
from service.question import content_terms, parse_question


def _doc(type_, *lines):
    paragraphs = [SimpleNamespace(kind="title", text="关于任免齐现强等工作人员职务的通知")]
    paragraphs += [SimpleNamespace(kind="text", text=t) for t in lines]
    paragraphs.append(SimpleNamespace(kind="signature", text="聊城市人民政府"))
    return SimpleNamespace(type=type_, paragraphs=paragraphs)


def test_the_people_a_notice_appoints_or_removes():
    notice = _doc("任免", "市人民政府决定，任命：", "齐现强为聊城市农业技术推广服务中心主任（试用期一年）；",
                  "狄胜涛、闫振勇为聊城行政学院副院长；", "免去：", "孟宪奇的聊城市财政局副局长职务。")
    other = _doc("通知", "城市为主体，推进工作。")  # only 任免 notices name people this way
    assert appointed_people([notice, other]) == ["孟宪奇", "狄胜涛", "闫振勇", "齐现强"]


def test_a_name_jieba_would_cut_stays_one_key_term():
    assert "齐现强" not in content_terms("齐现强被任命为什么职务？")  # jieba: 齐现/强
    assert content_terms("齐现强被任命为什么职务？", ["齐现强"])[0] == "齐现强"
    q = parse_question("马新明被任命到哪个单位了？", whole=["马新明"])
    assert q.terms[0] == "马新明" and "马新" not in q.terms


def test_a_name_counts_as_known_and_specific():
    from service.evidence import TermStats, coverage, unknown_share

    stats = TermStats({"任命": 2.0, "职务": 1.0}, 6.0, people=["齐现强"])
    assert stats.known("齐现强") and stats.weight("齐现强") == 6.0
    assert unknown_share(("齐现强", "任命"), stats) == 0.0
    assert coverage(("齐现强", "任命"), "齐现强为聊城市农业技术推广服务中心主任", stats) == 0.75


def test_names_are_found_longest_first_at_each_place():
    from service.question import names_in

    assert names_in("李彤彤和李彤都调走了", {"李彤彤", "李彤"}) == ["李彤彤", "李彤"]
    assert names_in("张宏图新任什么职务", frozenset()) == []
