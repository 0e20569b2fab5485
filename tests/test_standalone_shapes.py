"""Shapes of standalone documents from any issuer that the parser must read, table-driven.

Every case is a small synthetic document written here (title, 文号 or 令 number, addressees,
body with 第X条, signature, date, and what may follow the date), so a rule can only pass by
reading the shape, never by knowing a file. No model is loaded; the end-to-end check builds an
index with the fake embedder.
    1. a signing date in Chinese numerals, indented with full-width spaces, any zero lookalike;
    2. a publicity note ("（此件公开发布）") after the date, or at its end;
    3. a validity period with both ends in an attached 办法's 附则;
    4. State Council 令 numbers in every spelling, keyed as 国令第N号.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from indexer.numerals import CN_ZERO_LOOKALIKES
from indexer.parser import parse_files, parse_gazette
from indexer.text import (
    PUBLICITY_NOTES,
    decree_issuer,
    is_date_line,
    iso_date,
    normalize_docnum,
    without_publicity_note,
)
from service.answer import date_line

IND = "\u3000\u3000"  # how a saved web page indents a paragraph: two full-width spaces
SIGN_IND = "\u3000" * 16  # and right-aligns the signature


def notice(*, date: str = f"{SIGN_IND}二○一五年三月二日", after_date: str = "", rule: str = "第二十条　本办法自2015年4月1日起施行。",
           signer: str = f"{SIGN_IND}聊城市人民政府") -> str:
    """A city government's notice issuing a 办法: the body a 印发 notice has, and the 办法 after it."""
    return "\n".join([
        "聊城市人民政府关于印发聊城市测绘标志管理办法的通知",
        "",
        "聊政发〔2015〕3号",
        "",
        "各县（市、区）人民政府，市政府各部门：",
        "",
        f"{IND}现将《聊城市测绘标志管理办法》印发给你们，请认真贯彻执行。",
        "",
        signer,
        date,
        after_date,
        "",
        "聊城市测绘标志管理办法",
        "",
        "第一章　总则",
        "",
        f"{IND}第一条　为了加强测绘标志的保护和管理，制定本办法。",
        "",
        f"{IND}第二条　市自然资源主管部门负责本市测绘标志的保护工作。",
        "",
        "第二章　附则",
        "",
        f"{IND}{rule}",
        "",
    ])


def decree(header: str, *, title_above: bool = True, date: str = "2018年3月19日") -> str:
    """A State Council 令 as gov.cn prints it: (title), the 令 number, the promulgating text, the
    premier's signature, then the 条例 with its articles."""
    return "\n".join([
        *(["测绘标志保护条例", ""] if title_above else []),
        header,
        "",
        f"{IND}《测绘标志保护条例》已经2018年3月7日国务院第4次常务会议通过，现予公布，自2018年5月1日起施行。",
        "",
        f"{SIGN_IND}总理　李某某",
        f"{SIGN_IND}{date}",
        "",
        "测绘标志保护条例",
        "",
        f"{IND}第一条　为了加强测绘标志的保护，制定本条例。",
        "",
        f"{IND}第二条　国务院测绘地理信息主管部门负责全国测绘标志的监督管理。",
        "",
        f"{IND}第三条　本条例自2018年5月1日起施行。",
        "",
    ])


def parse_one(tmp_path: Path, text: str, name: str = "doc.txt"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    docs = parse_gazette(f)
    assert len(docs) == 1
    return docs[0]


# ---- 1. signing dates in Chinese numerals ---------------------------------------------------

DATE_SHAPES = [
    # (date line as printed, ISO date, what it shows)
    (f"{SIGN_IND}二○一五年三月二日", "2015-03-02", "○ U+25CB, indented with full-width spaces"),
    (f"{SIGN_IND}二〇一五年三月二日", "2015-03-02", "〇 U+3007"),
    (f"{SIGN_IND}二零一五年三月二日", "2015-03-02", "零"),
    (f"{SIGN_IND}二◯一五年三月二日", "2015-03-02", "◯ U+25EF, a large circle"),
    (f"{SIGN_IND}二O一五年三月二日", "2015-03-02", "Latin capital O"),
    (f"{SIGN_IND}二o一五年三月二日", "2015-03-02", "Latin small o"),
    (f"{SIGN_IND}二Ｏ一五年三月二日", "2015-03-02", "full-width O"),
    (f"{SIGN_IND}二0一五年三月二日", "2015-03-02", "an Arabic 0 among Chinese numerals"),
    (f"{SIGN_IND}二\u039f一五年三月二日", "2015-03-02", "Greek capital omicron"),
    (f"{SIGN_IND}二\u041e一五年三月二日", "2015-03-02", "Cyrillic capital O"),
    (f"{SIGN_IND}二○一五年十二月三十一日", "2015-12-31", "two-character month and day"),
    (f"{SIGN_IND}二○一五年　三月　二日", "2015-03-02", "full-width spaces inside the date"),
    (f"\u200b{SIGN_IND}二○一五年三月二日", "2015-03-02", "a zero-width space left by a web page"),
    (f"{SIGN_IND}2015年3月2日", "2015-03-02", "Arabic numerals"),
]


@pytest.mark.parametrize("line, iso, why", DATE_SHAPES, ids=[c[2] for c in DATE_SHAPES])
def test_signing_date_in_any_numeral_shape(tmp_path, line, iso, why):
    d = parse_one(tmp_path, notice(date=line))
    assert d.date == iso, why
    [para] = [p for p in d.paragraphs if p.kind == "signature" and is_date_line(p.text)]
    assert iso_date(para.text) == iso and date_line(d) == (para, para.text), why


@pytest.mark.parametrize("line, iso, why", DATE_SHAPES, ids=[c[2] for c in DATE_SHAPES])
def test_signer_and_date_on_one_line(tmp_path, line, iso, why):
    d = parse_one(tmp_path, notice(signer="", date=f"{SIGN_IND}聊城市人民政府{IND}{line.strip()}"))
    assert (d.date, d.issuer) == (iso, "聊城市人民政府"), why


def test_every_zero_lookalike_reads_as_zero():
    for zero in CN_ZERO_LOOKALIKES:
        assert iso_date(f"二{zero}二{zero}年一月九日") == "2020-01-09", zero


# ---- 2. a publicity note after the date -----------------------------------------------------


@pytest.mark.parametrize("note", PUBLICITY_NOTES, ids=[f"note{k}" for k in range(len(PUBLICITY_NOTES))])
@pytest.mark.parametrize("placed", ["own line", "end of date line", "half-width brackets"])
def test_publicity_note_keeps_the_signing_date_and_its_line(tmp_path, note, placed):
    date = f"{SIGN_IND}二○一五年三月二日"
    if placed == "own line":
        text = notice(date=date, after_date=f"（{note}）")
    elif placed == "end of date line":
        text = notice(date=f"{date}（{note}）")
    else:
        text = notice(date=date, after_date=f"({note})")
    d = parse_one(tmp_path, text)
    assert d.date == "2015-03-02"
    line, quoted = date_line(d)
    assert quoted == "二○一五年三月二日" and line.kind == "signature"
    assert line.text.startswith(quoted) and note in "".join(p.text for p in d.paragraphs)
    # the note never joins the 办法 that follows it, nor takes its heading
    assert d.embedded_titles == ("聊城市测绘标志管理办法",)
    assert next(p for p in d.paragraphs if p.text.startswith("第一条")).heading_path[:2] == (d.title, "聊城市测绘标志管理办法")


@pytest.mark.parametrize("note", PUBLICITY_NOTES, ids=[f"note{k}" for k in range(len(PUBLICITY_NOTES))])
def test_publicity_note_helpers(note):
    assert without_publicity_note(f"2015年3月2日（{note}）") == "2015年3月2日"
    assert without_publicity_note(f"2015年3月2日 ( {note} )") == "2015年3月2日"
    assert is_date_line(f"二○一五年三月二日（{note}）")
    assert not is_date_line(f"（{note}）")
    assert without_publicity_note(f"（{note}）请各地执行") == f"（{note}）请各地执行"  # only at the end


def test_publicity_note_with_a_signer_and_date_on_one_line(tmp_path):
    d = parse_one(tmp_path, notice(signer="", date=f"{SIGN_IND}聊城市人民政府　2015年3月2日（此件公开发布）"))
    assert (d.date, d.issuer) == ("2015-03-02", "聊城市人民政府")


# ---- 3. validity stated in an attached 办法's 附则 --------------------------------------------

VALIDITY_SHAPES = [
    # (the 附则 article, effective, expires, what it shows)
    ("第二十条　本办法自2015年4月1日至2020年3月31日施行。", "2015-04-01", "2020-03-31", "from-to"),
    ("第二十条　本办法自2015年4月1日起至2020年3月31日止施行。", "2015-04-01", "2020-03-31", "from-qi-to-zhi"),
    ("第二十条　本办法自2015年4月1日起施行，至2020年3月31日止。", "2015-04-01", "2020-03-31", "in-force-then-until"),
    ("第二十条　本办法自2015年4月1日起施行至2020年3月31日止。", "2015-04-01", "2020-03-31", "in-force-until-no-comma"),
    ("第二十条　本办法自2015年4月1日起施行，有效期至2020年3月31日。", "2015-04-01", "2020-03-31", "in-force-valid-until"),
    ("第二十条　本办法有效期自2015年4月1日起至2020年3月31日止。", "2015-04-01", "2020-03-31", "valid-from-to"),
    ("第二十条　本办法有效期为2015年4月1日至2020年3月31日。", "2015-04-01", "2020-03-31", "valid-is-range"),
    ("第二十条　本办法自二○一五年四月一日起施行，有效期至二○二○年三月三十一日。", "2015-04-01", "2020-03-31", "chinese-numerals"),
    ("第二十条　本办法自2015年4月1日起施行，有效期5年。", "2015-04-01", "2020-03-31", "valid-5-years"),
    ("第二十条　本办法自2015年4月1日起实施，有效期为五年。", "2015-04-01", "2020-03-31", "shishi-valid-five-years"),
    ("第二十条　本办法自2015年4月1日起施行。本办法有效期五年。", "2015-04-01", "2020-03-31", "years-in-own-sentence"),
    ("第二十条　本办法自印发之日起施行，有效期5年。", "2015-03-02", "2020-03-01", "from-signing-date"),
    ("第二十条　本办法自2015年4月1日起施行。", "2015-04-01", None, "no-end"),
    ("第二十条　测绘成果使用许可证有效期5年。本办法自2015年4月1日起施行。", "2015-04-01", None, "a-permits-term-is-not-the-documents"),
]


@pytest.mark.parametrize("rule, effective, expires, why", VALIDITY_SHAPES, ids=[c[3] for c in VALIDITY_SHAPES])
def test_validity_period_of_an_attached_measure(tmp_path, rule, effective, expires, why):
    d = parse_one(tmp_path, notice(rule=rule, after_date="（此件公开发布）"))
    assert d.date == "2015-03-02"
    assert (d.validity.effective, d.validity.expires) == (effective, expires), why
    assert d.validity.statement == next(p.text for p in d.paragraphs if p.text.startswith("第二十条"))


def test_the_expiry_note_of_answers_reads_the_period(tmp_path):
    from datetime import date

    from service.answer_writing import validity_notes

    d = parse_one(tmp_path, notice(rule="第二十条　本办法自2015年4月1日至2020年3月31日施行。"))
    ctx = SimpleNamespace(documents=lambda: [d])
    assert validity_notes(d, ctx, date(2020, 3, 31)) == []
    assert validity_notes(d, ctx, date(2020, 4, 1)) == [f"注意：{d.label}的有效期至2020年3月31日，已经到期。"]


@pytest.mark.parametrize("sentence", [
    "第二条　市自然资源主管部门负责本办法的实施。",  # 自然 is no 自…起
    "第二条　测绘单位自行组织巡查的，依照有关规定执行。",  # nor is 自行…执行
])
def test_sentences_that_only_look_like_validity(tmp_path, sentence):
    d = parse_one(tmp_path, notice(rule=sentence))
    assert d.validity is None


def test_a_repealed_decree_is_keyed_like_its_number(tmp_path):
    rule = "第二十条　本办法自2015年4月1日起施行。《测绘标志保护规定》（国务院令第 100 号）同时废止。"
    d = parse_one(tmp_path, notice(rule=rule))
    assert d.validity.repeals == ("国令第100号",)


# ---- 4. State Council 令 numbers ------------------------------------------------------------

DECREE_HEADERS = [
    # (the 令 number as printed, title printed above it, what it shows)
    ("中华人民共和国国务院令\n第699号", True, "two-lines"),
    ("中华人民共和国国务院令\n\n第 699 号", True, "two-lines-spaced"),
    ("中华人民共和国国务院令第699号", True, "one-line"),
    ("中华人民共和国国务院令（第699号）", True, "number-in-brackets"),
    ("国务院令　第 699 号", True, "without-the-state-name"),
    ("国令第699号", True, "short-form"),
    ("中华人民共和国国务院令\n第699号", False, "two-lines-title-only-over-the-regulation"),
    ("国令第699号", False, "short-form-title-only-over-the-regulation"),
]


@pytest.mark.parametrize("header, title_above, why", DECREE_HEADERS, ids=[c[2] for c in DECREE_HEADERS])
def test_state_council_decree_numbers_are_one_number(tmp_path, header, title_above, why):
    d = parse_one(tmp_path, decree(header, title_above=title_above))
    assert (d.docnum, d.title, d.issuer, d.type, d.date) == ("国令第699号", "测绘标志保护条例", "国务院", "令", "2018-03-19"), why
    assert d.validity.effective == "2018-05-01"
    assert [p.heading_path[-1] for p in d.paragraphs if p.text.startswith("第三条")] == ["第三条"]


@pytest.mark.parametrize("text, docnum", [
    ("国令第699号", "国令第699号"),
    ("国务院令第699号", "国令第699号"),
    ("中华人民共和国国务院令第699号", "国令第699号"),
    ("中华人民共和国国务院令 第 699 号", "国令第699号"),
    ("国务院令（第699号）", "国令第699号"),
    ("请问国务院令第699号是哪天签发的？", "国令第699号"),
    ("中华人民共和国国务院令第699号规定了什么", "国令第699号"),
    ("中华人民共和国主席令第12号", "主席令第12号"),
    ("中华人民共和国公安部令第12号", "公安部令第12号"),  # the state's name is optional before a ministry
    # local decrees keep their full name
    ("聊城市人民政府令第46号", "聊城市人民政府令第46号"),
    ("聊城市人民政府令 第 46 号", "聊城市人民政府令第46号"),
    ("宁国市人民政府令第3号", "宁国市人民政府令第3号"),  # a 国 inside a place name is no 国令
    ("德州市人民政府令第12号", "德州市人民政府令第12号"),
    ("聊政发〔2023〕7号", "聊政发〔2023〕7号"),
])
def test_decree_numbers_in_any_spelling(text, docnum):
    assert normalize_docnum(text) == docnum


@pytest.mark.parametrize("docnum, issuer", [
    ("国令第699号", "国务院"), ("聊城市人民政府令第46号", "聊城市人民政府"), ("公安部令第12号", "公安部"),
])
def test_decree_issuer(docnum, issuer):
    assert decree_issuer(docnum) == issuer


def test_one_decree_saved_under_two_spellings_is_one_document(tmp_path):
    (tmp_path / "a.txt").write_text(decree("中华人民共和国国务院令\n第 699 号"), encoding="utf-8")
    (tmp_path / "b.txt").write_text(decree("国令第699号"), encoding="utf-8")
    result = parse_files([tmp_path])
    assert [d.docnum for d in result.documents] == ["国令第699号"]
    assert [(x.source_file, x.docnum) for x in result.duplicates] == [("b.txt", "国令第699号")]


def test_local_decree_two_lines_unchanged(tmp_path):
    text = decree("聊城市人民政府令\n第 46 号").replace("总理　李某某", "市长　张某某").replace("国务院", "市人民政府")
    d = parse_one(tmp_path, text)
    assert (d.docnum, d.issuer, d.type) == ("聊城市人民政府令第46号", "聊城市人民政府", "令")


# ---- end to end: through the answer pipeline (fake embedder) --------------------------------


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from indexer.build import build_index
    from indexer.settings import Settings
    from service.engine import Engine

    root = tmp_path_factory.mktemp("shapes")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "notice.txt").write_text(
        notice(after_date="（此件公开发布）", rule="第二十条　本办法自2015年4月1日至2020年3月31日施行。"), encoding="utf-8"
    )
    (corpus / "decree.txt").write_text(decree("中华人民共和国国务院令\n第 699 号"), encoding="utf-8")
    settings = Settings(cache_dir=root / "cache", corpus_dir=corpus, model="fake-64")
    build_index(settings, progress=False)
    return Engine.load(settings)


def test_the_chinese_numeral_date_line_answers_when_it_was_signed(engine):
    a = engine.ask("聊政发〔2015〕3号是哪天签发的？")
    assert a.answered and a.citations[0].quote == "二○一五年三月二日"
    assert a.answer.startswith("根据《聊城市人民政府关于印发聊城市测绘标志管理办法的通知》（聊政发〔2015〕3号）：二○一五年三月二日[1]")


def test_the_period_in_the_measure_gives_the_expiry_note(engine):
    a = engine.ask("聊政发〔2015〕3号还有效吗？")
    assert a.answered
    assert "注意：《聊城市人民政府关于印发聊城市测绘标志管理办法的通知》（聊政发〔2015〕3号）的有效期至2020年3月31日，已经到期。" in a.answer


@pytest.mark.parametrize("spelling", ["国令第699号", "国务院令第699号", "中华人民共和国国务院令第699号", "国务院令第 699 号"],
                         ids=["short-form", "state-council", "with-state-name", "spaced"])
def test_a_decree_is_found_by_any_spelling(engine, spelling):
    [d] = engine.find_by_docnum(spelling)
    assert d.docnum == "国令第699号"
    hits = engine.search(f"{spelling}测绘标志", k=3)
    assert hits[0].chunk.docnum == "国令第699号"
    a = engine.ask(f"{spelling}是哪天签发的？")
    assert a.answered and (a.citations[0].docnum, a.citations[0].quote) == ("国令第699号", "2018年3月19日")
