"""The parser on the five bundled gazettes and on a synthetic gazette that carries the traps."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from indexer.errors import GazetteParseError
from indexer.parser import parse_corpus, parse_files, parse_gazette
from indexer.text import normalize_docnum

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "gazettes"
SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic_gazette.txt"

# (file prefix, 文号, type, signing date, title as printed in the body)
EXPECTED = [
    ('000', None, '报告', '2020-05-26', '政府工作报告'),
    ('000', '聊政字〔2020〕15号', '通知', '2020-05-14', '聊城市人民政府关于推进创新型城市建设若干措施的通知'),
    ('000', '聊政字〔2020〕16号', '通知', '2020-05-22', '聊城市人民政府关于成立聊城市国土空间规划委员会的通知'),
    ('000', '聊政办字〔2020〕27号', '印发', '2020-05-20', '聊城市人民政府办公室关于印发聊城市政务数据资源管理暂行办法的通知'),
    ('000', '聊政办字〔2020〕28号', '印发', '2020-05-21', '聊城市人民政府办公室关于印发聊城市加快推进5G产业发展实施方案的通知'),
    ('000', None, '大事记', None, '聊城市人民政府大事记（2020年4月）'),
    ('001', '聊城市人民政府令第46号', '令', '2023-08-16', '聊城市烈士褒扬办法'),
    ('001', '聊政发〔2023〕7号', '印发', '2023-09-10', '聊城市人民政府关于印发聊城市水文管理办法的通知'),
    ('001', '聊政字〔2023〕11号', '意见', '2023-08-12', '聊城市人民政府关于加快推进新时代科技强市建设的实施意见'),
    ('001', '聊政字〔2023〕12号', '印发', '2023-08-25', '聊城市人民政府关于印发聊城市贯彻落实突破菏泽鲁西崛起三年行动计划（2023—2025年）实施方案的通知'),
    ('001', '聊政办发〔2023〕10号', '印发', '2023-08-27', '聊城市人民政府办公室印发关于支持生物医药产业纺织服装产业高质量发展的若干措施的通知'),
    ('001', '聊政办发〔2023〕11号', '意见', '2023-09-04', '聊城市人民政府办公室关于推进聊城市体育事业高质量发展的若干意见'),
    ('001', '聊政办字〔2023〕19号', '印发', '2023-08-26', '聊城市人民政府办公室关于印发聊城市推进基本养老服务体系建设实施方案的通知'),
    ('001', '聊政办字〔2023〕20号', '印发', '2023-09-04', '聊城市人民政府办公室关于印发聊城市科学绿化实施方案(2023—2025年)的通知'),
    ('001', '聊政办字〔2023〕21号', '意见', '2023-09-12', '聊城市人民政府办公室关于推动12345政务服务便民热线与110报警服务台高效对接联动的实施意见'),
    ('001', '聊政办字〔2023〕23号', '印发', '2023-09-19', '聊城市人民政府办公室关于印发聊城市争创省级商业秘密保护创新试点工作方案（2023—2025年）的通知'),
    ('001', '聊政办字〔2023〕24号', '印发', '2023-09-24', '聊城市人民政府办公室关于印发聊城市排污权有偿使用和交易试点暂行办法的通知'),
    ('001', '聊政办字〔2023〕26号', '印发', '2023-09-30', '聊城市人民政府办公室关于印发聊城市建设全国乡村教育振兴先行区专项工作方案的通知'),
    ('001', '聊政任〔2023〕13号', '任免', '2023-08-18', '关于任免齐现强等工作人员职务的通知'),
    ('001', '聊政任〔2023〕14号', '任免', '2023-09-15', '关于任免刘清章等工作人员职务的通知'),
    ('001', None, '大事记', None, '聊城市人民政府大事记（2023年8月）'),
    ('001', None, '大事记', None, '聊城市人民政府大事记（2023年9月）'),
    ('002', '聊政发〔2021〕5号', '意见', '2021-04-22', '聊城市人民政府关于加快聊城市金融产业高质量发展的意见'),
    ('002', '聊政字〔2021〕8号', '通知', '2021-04-15', '聊城市人民政府关于赋予聊城经济技术开发区和高新技术产业开发区相关经济管理权限的通知'),
    ('002', '聊政办发〔2021〕1号', '印发', '2021-04-08', '聊城市人民政府办公室关于印发聊城市承接省政府用地审批权下放实施方案的通知'),
    ('002', '聊政办发〔2021〕2号', '印发', '2021-04-15', '聊城市人民政府办公室印发关于进一步深化科技体制改革推动创新发展的若干措施的通知'),
    ('002', '聊政办字〔2021〕3号', '印发', '2021-04-14', '聊城市人民政府办公室关于印发聊城市责任规划师制度（试行）的通知'),
    ('002', '聊政办字〔2021〕4号', '印发', '2021-04-19', '聊城市人民政府办公室关于印发聊城市重大突发事件应急保障体系建设三年行动计划（2020—2022年）实施方案的通知'),
    ('002', '聊政办字〔2021〕7号', '通知', '2021-04-23', '聊城市人民政府办公室关于建立聊城市全民健身工作联席会议机制的通知'),
    ('002', '聊政任〔2021〕5号', '任免', '2021-04-13', '聊城市人民政府关于任免荣健等工作人员职务的通知'),
    ('002', '聊政任〔2021〕6号', '任免', '2021-04-23', '关于任免何靖雯等工作人员职务的通知'),
    ('002', '聊政任〔2021〕7号', '任免', '2021-04-28', '聊城市人民政府关于任命张月莲职务的通知'),
    ('002', None, '大事记', None, '聊城市人民政府大事记（2021年4月）'),
    ('003', '聊政发〔2018〕61号', '印发', '2018-09-28', '聊城市人民政府关于印发《聊城市创新型城市建设推进方案》的通知'),
    ('003', '聊政办发〔2018〕23号', '意见', '2018-09-17', '聊城市人民政府办公室关于加快全市经济开发区改革创新发展的实施意见'),
    ('003', '聊政办发〔2018〕24号', '印发', '2018-09-20', '聊城市人民政府办公室关于印发《聊城市城区供热直供到户工作实施方案》的通知'),
    ('003', '聊政办发〔2018〕25号', '通知', '2018-09-21', '聊城市人民政府办公室关于进一步明确城市集中供气设施配套费收取事宜的通知'),
    ('003', '聊政办发〔2018〕26号', '意见', '2018-09-29', '聊城市人民政府办公室关于加强和改进行政应诉工作的实施意见'),
    ('003', '聊政办字〔2018〕71号', '意见', '2018-09-03', '聊城市人民政府办公室关于支持社区居家养老服务的实施意见'),
    ('003', '聊政办字〔2018〕73号', '通知', '2018-09-03', '聊城市人民政府办公室关于做好全市食品安全工作的通知'),
    ('003', '聊政办字〔2018〕76号', '印发', '2018-09-14', '聊城市人民政府办公室关于印发《聊城市优化政务服务专项行动方案》的通知'),
    ('003', '聊政办字〔2018〕78号', '通知', '2018-09-20', '聊城市人民政府办公室关于提高城乡居民最低生活保障标准和特困人员救助供养标准的通知'),
    ('003', None, '大事记', None, '聊城市人民政府大事记（2018年8月）'),
    ('004', '聊政发〔2021〕4号', '印发', '2021-04-16', '聊城市人民政府关于印发聊城市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要的通知'),
]


@pytest.fixture(scope="module")
def docs():
    return parse_corpus([CORPUS])


def _doc(docs, docnum=None, title=None):
    return next(d for d in docs if (docnum and d.docnum == docnum) or (title and d.title == title))


def test_all_44_articles_with_docnum_type_date_title(docs):
    got = [(d.source_file[:3], d.docnum, d.type, d.date, d.title) for d in docs]
    assert got == EXPECTED


def test_article_counts_per_file_and_type(docs):
    assert Counter(d.source_file[:3] for d in docs) == {"000": 6, "001": 16, "002": 11, "003": 10, "004": 1}
    assert Counter(d.type for d in docs) == {"印发": 18, "通知": 7, "意见": 7, "大事记": 5, "任免": 5, "令": 1, "报告": 1}


def test_doc_ids_are_stable_and_unique(docs):
    again = parse_corpus([CORPUS])
    assert [d.doc_id for d in docs] == [d.doc_id for d in again]
    assert len({d.doc_id for d in docs}) == 44


def test_masthead_licence_is_not_a_docnum(docs):
    assert all(d.docnum != "聊新出准字〔2008〕13号" for d in docs)
    assert normalize_docnum("刊号：聊新出准字〔2008〕13号") is None


def test_issue_numbers(docs):
    d = _doc(docs, "聊城市人民政府令第46号")
    assert (d.issue.year, d.issue.number, d.issue.total) == (2023, "8-9", "245-246")
    assert _doc(docs, "聊政发〔2021〕4号").issue is None  # the standalone five-year plan


def test_moved_tail_restores_signing_date(docs):
    assert _doc(docs, "聊政发〔2021〕5号").date == "2021-04-22"
    assert _doc(docs, "聊政办字〔2023〕21号").date == "2023-09-12"


def test_decree_holds_articles_16_to_19(docs):
    decree = _doc(docs, "聊城市人民政府令第46号")
    paths = [p.heading_path[-1] for p in decree.paragraphs if p.kind == "text" and p.text.startswith("第")]
    assert paths[-4:] == ["第十六条", "第十七条", "第十八条", "第十九条"]
    host = _doc(docs, "聊政字〔2023〕11号")
    assert not any("烈士" in p.text for p in host.paragraphs)
    assert decree.validity.effective == "2023-10-01"


def test_no_marker_survives(docs):
    for d in docs:
        for p in d.paragraphs:
            assert "下转第" not in p.text and "上接第" not in p.text, (d.docnum, p.text[:40])


def test_interleaved_tail_split_by_numbering(docs):
    src = _doc(docs, "聊政办发〔2021〕2号")
    host = _doc(docs, "聊政办字〔2021〕4号")
    item21 = next(p.text for p in src.paragraphs if p.text.startswith("21."))
    assert item21.endswith("宽容失败的科技改革创新容错机制。（牵头单位：市科技局、市财政局、市审计局）")
    assert any(p.text.startswith("20.") and "产业化收益" in p.text for p in src.paragraphs)
    assert any(p.text.startswith("41.加强应急信息化建设") for p in host.paragraphs)
    assert not any(p.text.startswith("21.建立科技") for p in host.paragraphs)
    assert any(p.text.startswith("21.完善疾病预防控制体系") for p in host.paragraphs)  # the host's own 21.


def test_report_tail_back_in_report(docs):
    report = _doc(docs, title="政府工作报告")
    assert any("踏石留印”的劲头抓好各项工作落实。进一步精简会议文件" in p.text for p in report.paragraphs)
    assert report.date == "2020-05-26" and report.docnum is None


def test_heading_paths(docs):
    d = _doc(docs, "聊政办字〔2020〕27号")
    p = next(p for p in d.paragraphs if p.text.startswith("第九条"))
    assert p.heading_path == ("聊城市人民政府办公室关于印发聊城市政务数据资源管理暂行办法的通知", "聊城市政务数据资源管理暂行办法", "第二章规划建设", "第九条")


def test_two_embedded_documents_in_one_notice(docs):
    d = _doc(docs, "聊政办发〔2023〕10号")
    assert len(d.embedded_titles) == 2
    goals = [p.heading_path for p in d.paragraphs if p.heading_path[-1].startswith("一、工作目标")]
    assert {path[1] for path in goals} == set(d.embedded_titles)


def test_noise_removed(docs):
    for d in docs:
        for p in d.paragraphs:
            assert "**" not in p.text and "$" not in p.text and not p.text.startswith(("#", "- ")), p.text[:40]
    plan = _doc(docs, "聊政字〔2020〕16号")
    assert any("2/3以上多数参会委员通过" in p.text for p in plan.paragraphs)


def test_hard_line_breaks_joined(docs):
    report = _doc(docs, title="政府工作报告")
    assert any("全年引进世界500强、中国500强项目17个" in p.text for p in report.paragraphs)


@pytest.mark.parametrize(
    "lines, joined",
    [
        # an item cut after 17 characters, among sentence items: joined
        (["一、全市城市居民最低生活保障标准提高到每人每月600元。", "二、全市城市特困人员基本生活标准提高", "到每人每月660元。", "三、本通知自印发之日起施行。"],
         ["一、全市城市居民最低生活保障标准提高到每人每月600元。", "二、全市城市特困人员基本生活标准提高到每人每月660元。", "三、本通知自印发之日起施行。"]),
        # headings among headings stay headings
        (["一、总体要求", "坚持问题导向。", "二、主要任务", "加快建设。"], ["一、总体要求", "坚持问题导向。", "二、主要任务", "加快建设。"]),
        # a short label stays a heading even among sentence items
        (["一、总体要求", "坚持问题导向。", "二、强化企业主体地位，壮大创新力量", "1. 加快建设。"],
         ["一、总体要求", "坚持问题导向。", "二、强化企业主体地位，壮大创新力量", "1. 加快建设。"]),
    ],
)
def test_numbered_items_cut_by_a_line_break(lines, joined):
    from indexer.paragraphs import join_lines

    assert join_lines(lines) == joined


def test_title_is_paragraph_zero(docs):
    for d in docs:
        assert (d.paragraphs[0].kind, d.paragraphs[0].text, d.paragraphs[0].index) == ("title", d.title, 0)
        assert all(p.kind != "title" for p in d.paragraphs[1:])


def test_validity(docs):
    v = _doc(docs, "聊政发〔2021〕5号").validity
    assert (v.effective, v.expires, v.repeals) == ("2021-06-01", "2026-05-31", ("聊政发〔2016〕56号",))
    v = _doc(docs, "聊政发〔2023〕7号").validity
    assert (v.effective, v.expires) == ("2023-11-01", "2028-10-31")


def test_chronicle_days_and_triangle_entries(docs):
    d = _doc(docs, title="聊城市人民政府大事记（2023年8月）")
    tri = next(p for p in d.paragraphs if p.text.startswith("△市委副书记、市长张百顺主持召开市政府常务会议"))
    assert tri.heading_path[-1] == "29日"


def test_synthetic_gazette_traps():
    docs = parse_gazette(SYNTHETIC)
    assert [(d.docnum, d.type, d.date) for d in docs] == [
        ("聊政发〔2030〕1号", "印发", "2030-03-01"),
        ("聊政办字〔2030〕9号", "通知", "2030-03-05"),
        (None, "大事记", None),
    ]
    rules = docs[0]
    assert rules.title == "聊城市人民政府关于印发聊城市测试补贴办法的通知"
    texts = [p.text for p in rules.paragraphs]
    assert "第三条 测试补贴由市民政局负责发放，申请人向社区提交申请材料，社区应当在5个工作日内完成初审。" in texts
    assert "第四条 本办法自2030年4月1日起施行，有效期至2032年3月31日。《聊城市旧测试办法》（聊政发〔2025〕3号）同时废止。" in texts
    assert rules.validity.repeals == ("聊政发〔2025〕3号",)
    table = [(p.kind, p.text) for p in docs[1].paragraphs if p.kind.startswith("table")]
    assert table == [("table_header", "|项目|标准|责任单位|"), ("table_row", "|城市| 300元|市民政局|"), ("table_row", "|农村| 2400元|市民政局|")]  # repeated header dropped
    assert [p.table.cells for p in docs[1].paragraphs if p.kind == "table_row"] == [("城市", "300元", "市民政局"), ("农村", "2400元", "市民政局")]
    chron = docs[2]
    assert chron.title == "聊城市人民政府大事记（2030年1月）"
    assert [(p.kind, p.text) for p in chron.paragraphs[:1]] == [("title", "聊城市人民政府大事记（2030年1月）")]
    assert [p.heading_path[-1] for p in chron.paragraphs[1:]] == ["2日", "2日", "12—13日"]


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "file is empty"),
        (b"   \n\n", "file is empty"),
        ("聊城市人民政府公报".encode("gbk"), "text in GBK/GB18030, not UTF-8: save it as UTF-8; this service reads PDF, DOCX, HTML and UTF-8 text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "legacy Word/WPS .doc/.wps files are not read: save as .docx or PDF; this service reads PDF, DOCX, HTML and UTF-8 text"),
        (b"%PDF-1.7\n%garbage", None),
        ("这是一份购物清单：苹果、香蕉。".encode(), "not a gazette or government document: no 文号 line, 令 number, 大事记 or 工作报告 heading, and no title with a signature (issuer and date)"),
    ],
)
def test_bad_input_names_the_file(tmp_path, content, problem):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(GazetteParseError) as e:
        parse_gazette(bad)
    if problem is None:  # a broken PDF: the reader's own words, but always naming the file
        assert str(e.value).startswith(f"{bad}: ") and "PDF" in str(e.value)
    else:
        assert str(e.value) == f"{bad}: {problem}"


def test_bad_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "a_bad.txt").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "b_good.txt").write_bytes(SYNTHETIC.read_bytes())
    result = parse_files([tmp_path])
    assert len(result.documents) == 3
    assert [e.path for e in result.errors] == [str(tmp_path / "a_bad.txt")]


@pytest.mark.parametrize("variant", ["聊政办字〔2018〕76号", "聊政办字[2018]76号", "聊政办字〔2018〕76 号", "聊政办字【2018】76号", "聊政办字（2018）76号", "聊政办字 [ 2018 ] 76 号"])
def test_docnum_variants_normalise(variant):
    assert normalize_docnum(variant) == "聊政办字〔2018〕76号"
