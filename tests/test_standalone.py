"""Standalone documents as saved from a government website: one file, one document.

Synthetic fixtures in tests/fixtures/standalone/ cover the shapes: title then 文号 (bare or in
brackets), letterhead then 文号 then title, a title wrapped over two lines, a web page's metadata
table, 令 numbers on one or two lines, dates in Arabic or Chinese numerals (〇 and ○), a notice
without 文号, and a news item that is no document. No model is loaded.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.errors import GazetteParseError
from indexer.parser import NOT_A_DOCUMENT, parse_gazette
from indexer.text import is_date_line, is_docnum_line, iso_date, normalize_docnum

FIXTURES = Path(__file__).parent / "fixtures" / "standalone"

# (file, 文号, title, issuer, type, signing date, why this case)
CASES = [
    ("state_council_web_page.txt", "国发〔2016〕15号", "国务院关于印发城市测绘标志保护试点方案的通知", "国务院", "印发",
     "2016-03-07", "gov.cn page: metadata table, title, bare 文号, 〇 date, （此件公开发布）"),
    ("county_wrapped_title_in_brackets.txt", "余府发〔2012〕3号", "余姚市人民政府关于印发余姚市城区公共自行车管理办法的通知",
     "余姚市人民政府", "印发", "2012-01-09", "title over two lines, 文号 in brackets, ○ date"),
    ("province_letterhead_number_first.txt", "鲁政发〔2018〕21号", "山东省人民政府关于加快测绘地理信息产业发展的意见",
     "山东省人民政府", "意见", "2018-12-07", "letterhead, 文号, then the title over two lines; Arabic date"),
    ("state_council_office_letter.txt", "国办函〔2019〕12号", "国务院办公厅关于同意建立测绘标志保护工作部际联席会议制度的函",
     "国务院办公厅", "函", "2019-02-28", "a 函 to one ministry; 〇 date with 二十八"),
    ("city_decree_two_lines.txt", "济南市人民政府令第260号", "济南市测绘标志管理办法", "济南市人民政府", "令",
     "2012-01-09", "title above, 令 and 第 N 号 on two lines, signed by the mayor"),
    ("city_decree_one_line.txt", "德州市人民政府令第12号", "德州市测绘设施保护规定", "德州市人民政府", "令",
     "2018-12-07", "令 number on one line, 〇 date"),
    ("city_office_no_letterhead.txt", "聊政办字〔2018〕99号", "聊城市人民政府办公室关于做好测绘标志普查工作的通知",
     "聊城市人民政府办公室", "通知", "2018-12-07", "no letterhead, 〇 date right under the signer"),
    ("city_decree_number_in_brackets.txt", "威海市人民政府令第88号", "威海市测绘成果管理规定", "威海市人民政府", "令",
     "2021-03-15", "令（第 88 号） on one line, title above it"),
    ("office_transmits_signature_on_one_line.txt", "杭政办函〔2017〕88号", "杭州市人民政府办公厅转发市财政局测绘经费管理办法的通知",
     "杭州市人民政府办公厅", "通知", "2017-06-02", "a 转发 title without 关于; signer and date on one line"),
    ("notice_without_number.txt", None, "临清市人民政府办公室关于做好测绘标志巡查工作的通知", "临清市人民政府办公室", "通知",
     "2019-03-05", "no 文号 at all: a title and a signature make it a document"),
]


@pytest.mark.parametrize("name, docnum, title, issuer, type_, date, why", CASES, ids=[c[0] for c in CASES])
def test_standalone_document_metadata(name, docnum, title, issuer, type_, date, why):
    docs = parse_gazette(FIXTURES / name)
    assert len(docs) == 1, why
    d = docs[0]
    assert (d.docnum, d.title, d.issuer, d.type, d.date) == (docnum, title, issuer, type_, date), why
    assert d.issue is None and d.source_file == name


def test_standalone_body_keeps_headings_and_drops_web_metadata():
    d = parse_gazette(FIXTURES / "state_council_web_page.txt")[0]
    texts = [p.text for p in d.paragraphs]
    assert texts[:2] == [d.title, "各省、自治区、直辖市人民政府，国务院各部委、各直属机构："]
    assert d.paragraphs[0].kind == "title"
    assert not any(t.startswith(("索引号", "发文字号", "标题")) for t in texts)
    item = next(p for p in d.paragraphs if p.text.startswith("1.试点城市每年"))
    assert item.heading_path[:4] == (d.title, "城市测绘标志保护试点方案", "二、主要任务", "（一）开展普查登记")
    assert d.embedded_titles == ("城市测绘标志保护试点方案",)
    assert next(p for p in d.paragraphs if p.text == "二〇一六年三月七日").kind == "signature"


def test_standalone_decree_validity_and_articles():
    d = parse_gazette(FIXTURES / "city_decree_two_lines.txt")[0]
    assert d.validity.effective == "2012-03-01"
    assert [p.heading_path[-1] for p in d.paragraphs if p.text.startswith("第三条")] == ["第三条"]


def test_docnum_only_in_the_web_metadata(tmp_path):
    page = (FIXTURES / "state_council_web_page.txt").read_text("utf-8").replace("\n国发〔2016〕15号\n", "\n")
    f = tmp_path / "page.txt"
    f.write_text(page, encoding="utf-8")
    [d] = parse_gazette(f)
    assert (d.docnum, d.title, d.issuer, d.date) == ("国发〔2016〕15号", "国务院关于印发城市测绘标志保护试点方案的通知", "国务院", "2016-03-07")


def test_news_item_is_not_a_document():
    with pytest.raises(GazetteParseError) as e:
        parse_gazette(FIXTURES / "news_item_not_a_document.txt")
    assert e.value.problem == NOT_A_DOCUMENT


@pytest.mark.parametrize(
    "text, problem",
    [
        ("国务院关于测绘的通知\n\n各省：\n\n现通知如下。\n", NOT_A_DOCUMENT),  # no signature, no 文号
        ("国务院\n二〇一九年二月二十八日\n", NOT_A_DOCUMENT),  # a signature, no title
    ],
)
def test_fragments_are_not_documents(tmp_path, text, problem):
    f = tmp_path / "fragment.txt"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(GazetteParseError) as e:
        parse_gazette(f)
    assert e.value.problem == problem


@pytest.mark.parametrize(
    "text, iso",
    [
        ("2012年1月9日", "2012-01-09"),
        ("二○一二年一月九日", "2012-01-09"),  # ○ U+25CB
        ("二〇一八年十二月七日", "2018-12-07"),  # 〇 U+3007
        ("二〇二一年四月三十日", "2021-04-30"),
        ("二〇一九年二月二十八日", "2019-02-28"),
        ("二〇一九年十三月一日", None),  # no such month
    ],
)
def test_signing_dates_in_both_numeral_styles(text, iso):
    assert iso_date(text) == iso
    assert is_date_line(text)  # the shape of a date line; iso_date checks the values


@pytest.mark.parametrize(
    "line, docnum",
    [
        ("国发〔2012〕3号", "国发〔2012〕3号"),
        ("（余府发〔2012〕3号）", "余府发〔2012〕3号"),
        ("(国办发[2019]5号)", "国办发〔2019〕5号"),
        ("国办函〔2019〕12号", "国办函〔2019〕12号"),
        ("鲁政发〔2018〕21号", "鲁政发〔2018〕21号"),
        ("聊政办字〔2018〕76 号", "聊政办字〔2018〕76号"),
        ("浙政办发明电〔2020〕4号", "浙政办发明电〔2020〕4号"),
    ],
)
def test_any_docnum_prefix_alone_on_a_line(line, docnum):
    assert is_docnum_line(line)
    assert normalize_docnum(line) == docnum


def test_rules_are_not_keyed_on_file_names(tmp_path):
    copy = tmp_path / "zz_renamed.txt"
    copy.write_bytes((FIXTURES / "county_wrapped_title_in_brackets.txt").read_bytes())
    d = parse_gazette(copy)[0]
    assert (d.docnum, d.date, d.source_file) == ("余府发〔2012〕3号", "2012-01-09", "zz_renamed.txt")
