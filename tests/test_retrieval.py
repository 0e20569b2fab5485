"""Hybrid retrieval: fusion, 文号 lookups in any variant, filters; the real model on real questions."""
from __future__ import annotations

import pytest

from service.results import Filters
from service.retrieval import rrf_fuse


def test_rrf_fuse_exact_scores():
    scores = rrf_fuse([[3, 1, 2], [1, 4]], k=60)
    assert scores == pytest.approx({3: 1 / 61, 1: 1 / 62 + 1 / 61, 2: 1 / 63, 4: 1 / 62})
    assert max(scores, key=scores.get) == 1


def test_each_retrievers_first_hit_stays_in_the_fused_top_three():
    """Row 9 is dense's first and BM25 misses it: RRF alone puts it sixth, below rows both rank middling."""
    from service.retrieval import with_heads_kept

    bm25 = [1, 2, 3, 4, 5, 6]
    dense = [9, 2, 3, 1, 4, 5]
    fused = rrf_fuse([bm25, dense], k=60)
    assert sorted(fused, key=lambda r: -fused[r])[:6] == [2, 1, 3, 4, 5, 9]
    kept = with_heads_kept(fused, [bm25, dense], depth=3)
    order = sorted(kept, key=lambda r: -kept[r])
    assert order[:4] == [2, 1, 9, 3]
    assert [kept[r] for r in order] == sorted(kept.values(), reverse=True)
    assert with_heads_kept(fused, [bm25, [2, 9]], depth=3) == fused  # heads already in the top three: unchanged


@pytest.mark.parametrize("variant", ["聊政办字[2018]76号", "聊政办字〔2018〕76 号", "聊政办字【2018】76号讲了什么", "请问聊政办字(2018)76号"])
def test_docnum_in_query_puts_that_document_first(fake_engine, variant):
    hits = fake_engine.search(variant, k=5)
    assert hits[0].chunk.docnum == "聊政办字〔2018〕76号"


def test_filters_restrict_year_type_and_issuer(fake_engine):
    hits = fake_engine.search("养老服务", k=20, filters=Filters(year_from=2023, year_to=2023, type="印发"))
    assert hits and all(h.chunk.date.startswith("2023") and h.chunk.type == "印发" for h in hits)
    hits = fake_engine.search("养老服务", k=20, filters=Filters(issuer="办公室"))
    assert hits and all("办公室" in h.chunk.issuer for h in hits)
    assert fake_engine.search("养老服务", k=5, filters=Filters(year_from=2040)) == []


def test_modes_and_bad_mode(fake_engine):
    for mode in ("hybrid", "bm25", "dense"):
        hits = fake_engine.search("烈士褒扬", k=3, mode=mode)
        assert [h.rank for h in hits] == [1, 2, 3]
    with pytest.raises(ValueError, match="unknown search mode 'fuzzy'; choose one of hybrid, bm25, dense"):
        fake_engine.search("烈士褒扬", mode="fuzzy")


def test_matched_terms_are_in_the_text(fake_engine):
    hit = fake_engine.search("城市居民最低生活保障标准", k=1)[0]
    assert hit.matched_terms and all(t in hit.chunk.text for t in hit.matched_terms)


# question → (文号 or title of the document, a phrase of the passage) that must be in the top 5
REAL_QUESTIONS = [
    ("城市低保标准提高到每月多少钱？", "聊政办字〔2018〕78号", "每人每月440元"),
    ("烈士遗属坐公交车要钱吗", "聊城市人民政府令第46号", "免费乘坐公交车"),
    ("烈士子女上高中免学费吗", "聊城市人民政府令第46号", "免交学费、杂费"),
    ("水文管理办法什么时候开始施行", "聊政发〔2023〕7号", "2023年11月1日起施行"),
    ("12345热线和110怎么对接", "聊政办字〔2023〕21号", "110"),
    ("城区供热直供到户由哪个部门牵头", "聊政办发〔2018〕24号", "供热"),
    ("十四五期间全市生产总值年均增长目标", "聊政发〔2021〕4号", "生产总值"),
    ("排污权有偿使用的有效期到什么时候", "聊政办字〔2023〕24号", "有效期"),
    ("社区居家养老有什么扶持政策", "聊政办字〔2018〕71号", "养老"),
    ("2023年8月全市优化营商环境工作会议哪天开的", "聊城市人民政府大事记（2023年8月）", "全市优化营商环境工作会议召开"),
]


@pytest.mark.model
@pytest.mark.parametrize("question, gold, phrase", REAL_QUESTIONS)
def test_real_model_finds_the_passage(real_engine, question, gold, phrase):
    hits = real_engine.search(question, k=5)
    found = [h for h in hits if gold in (h.chunk.docnum, h.chunk.title)]
    assert found, [h.chunk.title for h in hits]
    assert any(phrase in h.chunk.text for h in found)
