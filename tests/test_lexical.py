"""Chinese lexical tokenisation and the BM25 index."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.lexical import BM25Index, tokenize

DOCNUM = ["聊政办字", "2018", "76号"]


@pytest.mark.parametrize(
    "text",
    ["聊政办字〔2018〕76号", "聊政办字[2018]76 号", "聊政办字［２０１８］７６号", "聊政办字﹝2018﹞76号", "聊政办字【2018】第76号",
     "聊政办字（2018）76号", " 聊政办字 〔 2018 〕 76 号。"],
)
def test_docnum_any_bracket_style(text):
    assert tokenize(text) == DOCNUM


def test_exact_tokens():
    assert tokenize("聊政发〔2023〕7号") == ["聊政发", "2023", "7号"]
    assert tokenize("城市低保标准是多少？") == ["城市低保", "城市", "低保", "标准"]
    assert tokenize("江北水城旅游度假区管委会") == ["江北水城旅游度假区", "江北水城", "度假区", "管委会"]
    assert tokenize("牵头单位：市人力资源社会保障局") == ["牵头", "单位", "市人力资源社会保障局", "人力资源", "社会", "保障局"]
    assert tokenize("推动12345政务服务便民热线") == ["推动", "12345", "政务服务", "政务", "服务", "便民热线", "便民", "热线"]
    assert tokenize("第 46 号") == ["第", "46号"]


def test_normalisation_and_noise():
    assert tokenize("ＡＢＣ　5G产业") == tokenize("abc 5g产业") == ["abc", "5g", "产业"]
    assert tokenize("“——”、。！？……（）__") == []
    assert tokenize("") == []
    assert "的" not in tokenize("聊城市的低保标准是多少")

def test_places_emit_short_forms():
    assert tokenize("东昌府区") == ["东昌府区", "东昌府"]
    assert tokenize("阳谷县") == ["阳谷县", "阳谷"]
    assert tokenize("聊城经济技术开发区") == ["聊城经济技术开发区", "经济技术开发区", "经开区"]
    assert tokenize("十四五规划") == ["十四五", "规划"]  # atomic: no 十四


CORPUS = [
    "城市低保标准提至每人每月500元，农村低保提至每人每年4500元。",
    "到2020年底，建成5G基站1500处，实现市城区5G信号全覆盖。",
    "聊城市人民政府办公室关于印发聊城市烈士褒扬办法的通知（聊政办字〔2018〕76号）",
    "对城镇低保的烈士遗属家庭，按照保障面积标准予以租金减免。",
    "新增集中供热面积300万平方米，主城区基本实现集中供热直供到户。",
]


@pytest.fixture(scope="module")
def index() -> BM25Index:
    return BM25Index.build(CORPUS)


def test_bm25_ranks_the_right_doc_first(index):
    assert len(index) == 5
    assert index.search("城市低保标准是多少", 3)[0][0] == 0
    assert index.search("5G基站建设", 3)[0][0] == 1
    assert index.search("聊政办字[2018]76号", 3)[0][0] == 2
    assert index.search("烈士遗属租金", 3)[0][0] == 3
    assert [r for r, _ in index.search("集中供热", 5)] == [4]


def test_bm25_positive_scores_only_and_k(index):
    hits = index.search("低保", 10)
    assert [r for r, _ in hits] == [0, 3]  # 0 says 低保 twice
    assert all(s > 0 for _, s in hits) and hits[0][1] > hits[1][1]
    assert index.search("低保", 1) == hits[:1]
    assert index.search("量子计算", 5) == []
    assert index.search("的 是 多少", 5) == []


def test_bm25_allowed_mask(index):
    allowed = np.array([False, True, True, True, True])
    assert [r for r, _ in index.search("低保", 5, allowed)] == [3]
    assert index.search("低保", 5, np.zeros(5, dtype=bool)) == []


def test_bm25_save_load_round_trip(index, tmp_path):
    index.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert len(loaded) == len(index)
    for q in ("城市低保标准是多少", "聊政办字〔2018〕76号", "5G", "烈士褒扬"):
        np.testing.assert_array_equal(loaded.scores(q), index.scores(q))
        assert loaded.search(q, 5) == index.search(q, 5)


def test_bm25_degenerate_corpora():
    with pytest.raises(ValueError):
        BM25Index.build([])
    idx = BM25Index.build(["", "。。。"])
    assert len(idx) == 2 and idx.search("低保", 3) == []
