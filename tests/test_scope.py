"""What the corpus covers: places and years, derived from the documents (no model loaded)."""
from __future__ import annotations

import pytest

from indexer.models import Document
from service.scope import CorpusScope, home_cities, places_in


def _doc(issuer: str, date: str, title: str = "关于印发某办法的通知") -> Document:
    return Document(doc_id=f"d{hash((issuer, date)) & 0xffff}", docnum=None, title=title, issuer=issuer, date=date,
                    type="通知", issue=None, validity=None, source_file="x.txt")


LIAOCHENG = [_doc("聊城市人民政府", "2020-05-14"), _doc("聊城市人民政府办公室", "2023-09-10", "聊城市贯彻落实突破菏泽鲁西崛起三年行动计划实施方案")]


@pytest.mark.parametrize(
    "question, places",
    [
        ("上海市的低保标准是多少？", ("上海市",)),
        ("济南低保多少钱", ("济南",)),
        ("德州市2020年新增多少养老床位", ("德州市",)),
        ("阳谷县有什么补贴", ("阳谷县",)),
        ("主城区打通几条断头路", ()),  # 城区 is a county's name, and a common word
        ("金融意见里的补助，市和县怎么分担？", ()),  # 和县 likewise
        ("黄河流域生态保护", ()),  # a river, not an administrative place
    ],
)
def test_places_in(question, places):
    assert places_in(question) == places


def test_home_is_read_from_the_issuers():
    assert home_cities(LIAOCHENG) == ("3715",)
    assert home_cities([_doc("余姚市人民政府", "2012-01-09")]) == ("3302",)  # 余姚 lies in 宁波 (3302)


def test_foreign_places_and_years():
    scope = CorpusScope.of(LIAOCHENG, ["2019年城市低保标准提至每人每月500元", "到2025年"])
    assert scope.corpus_name == "聊城市人民政府公报" and scope.home_name == "聊城市"
    assert scope.foreign_places("上海市的低保标准是多少？") == ("上海市",)
    assert scope.foreign_places("阳谷县的低保标准是多少？") == ()  # a county of the home city
    assert scope.foreign_places("聊城的养老院") == ()
    # a place inside a document's name the question quotes is not the place asked about
    assert scope.foreign_places("按突破菏泽鲁西崛起的实施方案，要建多少基站？") == ()
    assert scope.foreign_places("菏泽的5G基站有多少？") == ("菏泽",)
    assert scope.unknown_years(("2019", "2016", "2025")) == ("2016",)
    assert (scope.first_year, scope.last_year) == (2020, 2023)


def test_corpus_name_setting_wins():
    assert CorpusScope.of(LIAOCHENG, [], corpus_name="某市政府文件库").corpus_name == "某市政府文件库"
