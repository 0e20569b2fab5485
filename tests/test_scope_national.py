"""Scope that follows the corpus once it holds more than one city's gazette (fake embedder, no model).

One bundled 聊城 gazette issue (2018, with the 低保 standards) plus synthetic standalone documents
written here: a State Council decree (国令第699号, 烈士褒扬金 with its amount), a 国办发 notice
(a national 残疾人 allowance with its amount), a 民政部办公厅 notice about 低保 that states no
figure (only a deadline, 2019年6月底), and a 济南市人民政府办公厅 notice on street parking fees.

    1. National documents apply everywhere: a question naming 上海 / 济南 / 北京 about them is
       answered from them; another city's own documents apply to that city only.
    2. The home check still works: "济南市的低保标准是多少？" is refused: the 聊城 figures do not
       apply to 济南, and the national notice states no figure (its year is no 低保标准).
    3. Refusals and the corpus name say what the corpus holds; a home-only corpus keeps today's words.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.scope import corpus_name
from indexer.settings import REPO_ROOT, Settings
from service import wording as W
from service.assessment import assess, fits_elsewhere
from service.evidence import fits_intent
from service.question import parse_question
from service.scope import NATIONAL, CorpusScope, is_national, region_of

GAZETTE = REPO_ROOT / "data" / "gazettes" / "003_3fd668cf8acf80e9.txt"  # 聊城 2018: 低保 standards
IND = "\u3000\u3000"
SIGN = "\u3000" * 16

DECREE = "\n".join([
    "烈士褒扬条例", "",
    "中华人民共和国国务院令", "",
    "第699号", "",
    f"{IND}《烈士褒扬条例》已经2018年3月7日国务院第4次常务会议通过，现予公布，自2018年5月1日起施行。", "",
    f"{SIGN}总理　李某某",
    f"{SIGN}2018年3月19日", "",
    "烈士褒扬条例", "",
    f"{IND}第一条　为了弘扬烈士精神，抚恤优待烈士遗属，制定本条例。", "",
    f"{IND}第二条　国务院退役军人工作主管部门负责全国的烈士褒扬工作。", "",
    f"{IND}第十二条　烈士褒扬金由烈士遗属户口所在地县级人民政府退役军人工作主管部门发放，烈士褒扬金标准为每名烈士300000元。", "",
    f"{IND}第十三条　烈士遗属享受定期抚恤金，定期抚恤金标准为每人每月1200元。", "",
    f"{IND}第三十条　本条例自2018年5月1日起施行。", "",
])
STATE_COUNCIL_NOTICE = "\n".join([
    "国务院办公厅关于加强困难残疾人生活补贴工作的通知", "",
    "国办发〔2019〕5号", "",
    "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：", "",
    f"{IND}为保障困难残疾人基本生活，经国务院同意，现就加强困难残疾人生活补贴工作通知如下：", "",
    f"{IND}一、困难残疾人生活补贴由县级人民政府民政部门按月发放，补贴标准为每人每月100元。", "",
    f"{IND}二、各地要将困难残疾人生活补贴资金列入财政预算。", "",
    f"{SIGN}国务院办公厅",
    f"{SIGN}2019年1月15日", "",
])
MINISTRY_NOTICE = "\n".join([
    "民政部办公厅关于进一步加强最低生活保障工作的通知", "",
    "民办发〔2019〕12号", "",
    "各省、自治区、直辖市民政厅（局）：", "",
    f"{IND}为进一步做好最低生活保障工作，现就有关事项通知如下：", "",
    f"{IND}一、各地要科学制定最低生活保障标准，在2019年6月底前完成城乡低保标准的调整工作。", "",
    f"{IND}二、各地民政部门要加强低保对象认定，做到应保尽保。", "",
    f"{SIGN}民政部办公厅",
    f"{SIGN}2019年3月5日", "",
])
CITY_NOTICE = "\n".join([
    "济南市人民政府办公厅关于加强城市道路停车管理的通知", "",
    "济政办字〔2019〕20号", "",
    "各区县人民政府，市政府各部门：", "",
    f"{IND}为规范城市道路停车秩序，现就加强城市道路停车管理通知如下：", "",
    f"{IND}一、城市道路停车泊位实行计时收费，道路停车收费标准为每小时2元。", "",
    f"{IND}二、城市道路停车泊位由市城市管理部门统一设置。", "",
    f"{SIGN}济南市人民政府办公厅",
    f"{SIGN}2019年4月2日", "",
])
NATIONAL_DOCS = {"decree.txt": DECREE, "state_council.txt": STATE_COUNCIL_NOTICE, "ministry.txt": MINISTRY_NOTICE}
CITY_DOCS = {"jinan.txt": CITY_NOTICE}
CORPORA = {
    "home": {},
    "home+national": NATIONAL_DOCS,
    "home+city": CITY_DOCS,
    "all": {**NATIONAL_DOCS, **CITY_DOCS},
}
HOME_ONLY_REFUSAL = "已收录的聊城市人民政府公报只涉及聊城市的事务，没有关于{place}的这项内容。" + W.HOTLINE


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """One index per corpus, built on demand with the fake embedder."""
    from indexer.build import build_index
    from service.engine import Engine

    built = {}

    def engine(name: str):
        if name not in built:
            root = tmp_path_factory.mktemp(name.replace("+", "_"))
            corpus = root / "corpus"
            corpus.mkdir()
            shutil.copy(GAZETTE, corpus / GAZETTE.name)
            for file, text in CORPORA[name].items():
                (corpus / file).write_text(text, encoding="utf-8")
            settings = Settings(cache_dir=root / "cache", corpus_dir=corpus, model="fake-64")
            build_index(settings, progress=False)
            built[name] = Engine.load(settings)
        return built[name]

    return engine


# ---- which documents are national, and where a document applies -------------------------------------


@pytest.mark.parametrize(
    "issuer, docnum, region, why",
    [
        ("国务院", "国令第699号", NATIONAL, "the State Council"),
        (None, "国令第699号", NATIONAL, "a national 文号 alone"),
        ("国务院办公厅", "国办发〔2019〕5号", NATIONAL, "its office speaks for it"),
        ("民政部办公厅", "民办发〔2019〕12号", NATIONAL, "a ministry: no place, ends in 部"),
        ("人力资源社会保障部", None, NATIONAL, "a ministry whose name holds no place"),
        ("国家税务总局", None, NATIONAL, "a 国家… body"),
        ("海关总署", None, NATIONAL, "a 总署"),
        ("国家税务总局聊城市税务局", None, None, "names a place: a local office of a central body, not national"),
        ("市委组织部", None, None, "a 部 of a local party committee"),
        ("聊城市人民政府办公室", "聊政办字〔2018〕78号", "3715", "the home city"),
        ("阳谷县人民政府", None, "371521", "a county of the home city"),
        ("济南市人民政府办公厅", "济政办字〔2019〕20号", "3701", "another city"),
        ("山东省人民政府", None, "37", "a province"),
        ("宁国市人民政府", "宁国市人民政府令第3号", "341881", "a 国 inside a place name is no 国令"),
    ],
)
def test_where_a_document_applies(issuer, docnum, region, why):
    assert region_of(issuer, docnum) == region, why
    assert is_national(issuer, docnum) is (region == NATIONAL), why


# ---- 3. what the corpus is called and what it holds -------------------------------------------------


@pytest.mark.parametrize(
    "corpus, name, held, beyond",
    [
        ("home", "聊城市人民政府公报", "聊城市", False),  # today's name, exactly
        ("home+national", "聊城市人民政府公报及国务院等文件", "聊城市和国家层面", True),
        ("home+city", "聊城市人民政府公报及济南市人民政府等文件", "聊城市和济南市", True),
        ("all", "聊城市人民政府公报及国务院等文件", "聊城市、济南市和国家层面", True),
    ],
)
def test_the_corpus_name_says_what_it_holds(engines, corpus, name, held, beyond):
    engine = engines(corpus)
    docs = engine.documents()
    assert (corpus_name(docs), engine.scope.corpus_name) == (name, name)
    assert (engine.scope.holdings(), engine.scope.beyond_home) == (held, beyond)
    # GAZETTE_CORPUS_NAME still wins
    assert (corpus_name(docs, "某市文件库"), CorpusScope.of(docs, [], corpus_name="某市文件库").corpus_name) == ("某市文件库", "某市文件库")


def _doc(doc_id: str, issuer: str, docnum: str | None = None):
    from indexer.models import Document

    return Document(doc_id=doc_id, docnum=docnum, title="关于某事的通知", issuer=issuer, date="2020-01-01", type="通知",
                    issue=None, validity=None, source_file="x.txt")


@pytest.mark.parametrize(
    "issuers, name, held, national",
    [
        ([("聊城市人民政府", None), ("阳谷县人民政府", None)], "聊城市人民政府公报", "聊城市", False),  # its own county: home
        ([("聊城市人民政府", None), ("聊城市人民政府", None), ("山东省人民政府", None)], "聊城市人民政府公报及山东省人民政府等文件",
         "聊城市和山东省", False),
        ([("山东省人民政府", None), ("山东省人民政府办公厅", None)], "山东省人民政府公报", "山东省", False),  # a province at home
        ([("上海市人民政府", None), ("国务院", "国发〔2019〕1号")], "上海市人民政府公报及国务院等文件", "上海市和国家层面", True),
        ([("国务院", "国发〔2019〕1号"), ("民政部办公厅", None)], "国务院等文件", "国家层面", True),  # no home city at all
    ],
)
def test_holdings_from_the_issuers(issuers, name, held, national):
    scope = CorpusScope.of([_doc(f"d{k}", i, n) for k, (i, n) in enumerate(issuers)], [])
    assert (scope.corpus_name, scope.holdings(), scope.national) == (name, held, national)


# ---- 1–3. answers -----------------------------------------------------------------------------------

ANSWERED, REFUSED = True, False
DECREE_ARTICLE = "第十二条 烈士褒扬金由烈士遗属户口所在地县级人民政府退役军人工作主管部门发放，烈士褒扬金标准为每名烈士300000元。"
HELD_ALL = "已收录的文件中没有关于{place}的这项内容（收录的是聊城市、济南市和国家层面的文件）。" + W.HOTLINE
HELD_NATIONAL = "已收录的文件中没有关于{place}的这项内容（收录的是聊城市和国家层面的文件）。" + W.HOTLINE


@pytest.mark.parametrize(
    "corpus, question, answered, answer, cited, why",
    [
        ("all", "上海市的烈士褒扬金标准是多少元？", ANSWERED, f"根据《烈士褒扬条例》（国令第699号）：{DECREE_ARTICLE}[1]",
         ["国令第699号"], "a national decree applies to 上海 too: its amount answers"),
        ("home+national", "济南市的烈士褒扬金由哪个部门发放？", ANSWERED, f"根据《烈士褒扬条例》（国令第699号）：{DECREE_ARTICLE}[1]",
         ["国令第699号"], "not refused as another city: the decree says who pays it"),
        ("all", "北京市困难残疾人生活补贴标准是每人每月多少元？", ANSWERED,
         "根据《国务院办公厅关于加强困难残疾人生活补贴工作的通知》（国办发〔2019〕5号）：一、困难残疾人生活补贴由县级人民政府民政部门按月发放，补贴标准为每人每月100元。[1]",
         ["国办发〔2019〕5号"], "a national figure that truly answers is quoted"),
        ("all", "济南市的城市道路停车收费标准是多少元？", ANSWERED,
         "根据《济南市人民政府办公厅关于加强城市道路停车管理的通知》（济政办字〔2019〕20号）：一、城市道路停车泊位实行计时收费，道路停车收费标准为每小时2元。[1]",
         ["济政办字〔2019〕20号"], "another city's own document applies to that city"),
        ("all", "济南市的低保标准是多少？", REFUSED, HELD_ALL.format(place="济南市"), [],
         "聊城's 低保 figures do not apply to 济南; the national notice states none"),
        ("home+national", "济南市的低保标准是多少？", REFUSED, HELD_NATIONAL.format(place="济南市"), [],
         "the same, with no 济南 document: the refusal names what is held"),
        ("all", "上海市的城市道路停车收费标准是多少元？", REFUSED, HELD_ALL.format(place="上海市"), [],
         "济南's document does not apply to 上海"),
        ("home", "济南市的低保标准是多少？", REFUSED, HOME_ONLY_REFUSAL.format(place="济南市"), [], "a home-only corpus: today's words"),
        ("home", "上海市的烈士褒扬金标准是多少元？", REFUSED, HOME_ONLY_REFUSAL.format(place="上海市"), [], "no decree indexed"),
    ],
)
def test_answers_follow_the_corpus(engines, corpus, question, answered, answer, cited, why):
    a = engines(corpus).ask(question)
    assert (a.answered, a.answer, [c.docnum for c in a.citations]) == (answered, answer, cited), why
    assert "只涉及聊城市" not in a.answer or corpus == "home", why


# ---- 2. the home check, at the level of the candidates ------------------------------------------------


@pytest.mark.parametrize("corpus", ["home+national", "all"])
def test_a_national_text_without_the_figure_does_not_answer_another_city(engines, corpus):
    """"济南市的低保标准是多少？": the 民政部 notice applies to 济南 and stays plausible, but its only
    number is a deadline (2019年6月底), no 低保标准; a 聊城 sentence is plausible only when it names
    济南 itself (济南海关驻聊办事处), so the 聊城 低保 figures are not."""
    engine = engines(corpus)
    ctx = engine.answer_context
    q = parse_question("济南市的低保标准是多少？", None, engine.term_stats.rare, engine.term_stats.people_names)
    a = assess(ctx, q, 5, None, "hybrid")
    docnum = {d.doc_id: d.docnum for d in engine.documents()}
    deadline = next(c for c in a.plausible if docnum[c.hit.chunk.doc_id] == "民办发〔2019〕12号" and "2019年6月底" in c.sentence)
    assert a.foreign == ("济南市",)
    assert all("济南" in c.sentence for c in a.plausible if (docnum[c.hit.chunk.doc_id] or "聊").startswith("聊"))
    assert not any("低保" in c.sentence or "最低生活保障" in c.sentence for c in a.plausible if docnum[c.hit.chunk.doc_id] != "民办发〔2019〕12号")
    assert not any(docnum[c.hit.chunk.doc_id] == "民办发〔2019〕12号" for c in a.exact)
    # the year reads as a figure to fits_intent; for a document that applies without naming the place it is none
    assert (fits_intent(q, deadline), fits_elsewhere(q, deadline)) == (True, False)
