"""Document metadata read off an article: header (title, issuer), type, signing date, validity."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .articles import ISSUER_RE, LETTERHEAD_RE, TITLE_SUFFIXES, Article, decree_line, is_title_line
from .numerals import DIGITS, HEADING_NUMERALS, TWO, cn_number
from .paragraphs import is_embedded_title
from .text import (
    ANY_DATE,
    DECREE_RE,
    DOCNUM_RE,
    decree_issuer,
    ends_sentence,
    has_punctuation,
    is_date_line,
    is_docnum_line,
    iso_date,
    normalize_docnum,
    strip_spaces,
    without_publicity_note,
)


@dataclass(frozen=True)
class Header:
    title: str
    issuer: str | None
    body: list[str]  # the article's lines after its header
    date_hint: str | None = None  # e.g. the work report's "——2020年5月26日在…" line


NO_TITLE = "（无标题）"

# Who signs a 令 and other documents of a government head: "市长 张某", "总理 李某".
SIGNER_ROLE_RE = re.compile(r"^(市长|省长|县长|区长|州长|总理|自治区主席)")


def _issuer_of(letterhead: str) -> str:
    s = strip_spaces(letterhead)
    return s[:-2] if s.endswith("文件") else s


def _title_issuer(title: str) -> str | None:
    """"聊城市人民政府办公室关于印发…的通知" → 聊城市人民政府办公室."""
    k = title.find("关于")
    head = title[:k] if k > 0 else ""
    if head.endswith("印发"):
        head = head[:-2]
    return head if ISSUER_RE.match(head) else None


def title_block(lines: list[str]) -> tuple[str, int] | None:
    """A title at the top of `lines` (one to three lines, no punctuation): (title, index after it), or None."""
    taken: list[int] = []
    for i in [i for i, s in enumerate(lines) if s.strip()][:3]:
        s = lines[i]
        if has_punctuation(s) or ends_sentence(s) or is_date_line(s) or is_docnum_line(s):
            break
        taken.append(i)
        title = strip_spaces("".join(lines[k] for k in taken))
        if is_title_line(title) or is_embedded_title(title):
            return title, i + 1
    return None


def _preamble_title(article: Article) -> str | None:
    """A standalone file's title printed above its header (the 令 number), or its web page's 标题."""
    pre = [s for s in article.preamble if s.strip()]
    for k in range(max(0, len(pre) - 3), len(pre)):
        found = title_block(pre[k:])
        if found and found[1] >= len(pre[k:]):
            return found[0]
    return article.meta.get("标题")


def read_header(article: Article) -> Header:
    lines = article.lines
    nonblank = [i for i, s in enumerate(lines) if s.strip()]
    if article.kind == "docnum":
        return _with_fallbacks(_docnum_header(lines, nonblank), article)
    if article.kind == "document":
        return _with_fallbacks(_document_header(lines, article), article)
    if article.kind == "decree":
        return _with_fallbacks(_decree_header(lines, nonblank, article), article)
    if article.kind == "chronicle":
        return _chronicle_header(lines, nonblank)
    # work report: heading, then "——date 在…会议上" (kept as the first paragraph: it says who spoke where)
    hint = next((lines[i] for i in nonblank[1:3] if lines[i].startswith("——")), None)
    return Header(title=strip_spaces(lines[nonblank[0]]), issuer="聊城市人民政府", body=lines[nonblank[0] + 1 :], date_hint=hint)


def _with_fallbacks(header: Header, article: Article) -> Header:
    """Fill what the header lacks from a standalone file's preamble, web metadata or signature."""
    title, issuer = header.title, header.issuer
    if title == NO_TITLE:
        title = _preamble_title(article) or title
    if not issuer:
        issuer = _title_issuer(title) or signer(header.body) or article.meta.get("发文机关")
    if (title, issuer) == (header.title, header.issuer):
        return header
    return Header(title=title, issuer=issuer, body=header.body, date_hint=header.date_hint)


# What a 令 promulgates, besides the documents a notice carries (办法, 规定 …): a State Council
# 令 publishes a 条例 or a 决定 ("国务院关于修改和废止部分行政法规的决定").
DECREE_TITLE_SUFFIXES = ("条例", "决定")


def _is_decree_title(s: str) -> bool:
    t = strip_spaces(s)
    return is_embedded_title(t) or is_title_line(t) or (
        4 <= len(t) <= 60 and t.endswith(DECREE_TITLE_SUFFIXES) and not has_punctuation(t) and not ends_sentence(t)
    )


def _decree_header(lines: list[str], nonblank: list[int], article: Article) -> Header:
    """"聊城市人民政府令" + "第 46 号" on two lines, or "德州市人民政府令第12号" on one; the
    State Council's "中华人民共和国国务院令" / "第699号" too (its number keyed as 国令第699号)."""
    first = decree_line(lines[nonblank[0]])
    one_line = bool(DECREE_RE.fullmatch(first))
    header_end = nonblank[0] if one_line or len(nonblank) < 2 else nonblank[1]
    body = lines[header_end + 1 :]
    # 聊城市人民政府令第46号 → 聊城市人民政府, 国令第699号 → 国务院
    issuer = decree_issuer(article.docnum) if article.docnum else first.split("令")[0]
    title = next((strip_spaces(s) for s in body if is_embedded_title(s)), None)
    title = title or _preamble_title(article) or next((strip_spaces(s) for s in body if _is_decree_title(s)), None)
    return Header(title=title or first, issuer=issuer, body=body)


def _document_header(lines: list[str], article: Article) -> Header:
    """A standalone document without a 文号 line: its title heads the file."""
    found = title_block(lines)
    if found:
        return Header(title=found[0], issuer=None, body=lines[found[1] :])
    return Header(title=article.meta.get("标题") or NO_TITLE, issuer=None, body=lines)


def _docnum_header(lines: list[str], nonblank: list[int]) -> Header:
    at = next(i for i in nonblank if is_docnum_line(lines[i]))
    before = [lines[i] for i in nonblank if i < at]
    letterheads = [s for s in before if LETTERHEAD_RE.match(s)]
    title_parts = [s for s in before if is_title_line(s)]
    if not title_parts:  # a title wrapped over lines above the 文号, none a title alone
        joined = "".join(s for s in before if not LETTERHEAD_RE.match(s))
        title_parts = [joined] if is_title_line(strip_spaces(joined)) else []
    end = at
    after = [i for i in nonblank if i > at]
    if not title_parts:
        taken: list[str] = []
        for i in after[:3]:
            s = lines[i]
            if has_punctuation(s) or is_date_line(s):
                break
            taken.append(s)
            end = i
            if strip_spaces("".join(taken)).endswith(TITLE_SUFFIXES):
                break
        title_parts = taken
    title = strip_spaces("".join(title_parts))
    issuer = _issuer_of(letterheads[0]) if letterheads else _title_issuer(title)
    for s in letterheads:  # a letterhead can share its line with the title (任免 notices)
        if "关于" in s:
            title = strip_spaces(s)
    return Header(title=title or NO_TITLE, issuer=issuer or _title_issuer(title), body=lines[end + 1 :])


def _chronicle_header(lines: list[str], nonblank: list[int]) -> Header:
    first = strip_spaces(lines[nonblank[0]])
    body_start = nonblank[0] + 1
    if not re.search(r"\d{4}年\d{1,2}月", first) and len(nonblank) > 1:
        nxt = strip_spaces(lines[nonblank[1]])
        if re.fullmatch(r"[（(]\d{4}年\d{1,2}月[)）]", nxt):
            first += nxt
            body_start = nonblank[1] + 1
    title = re.sub(r"[(（](\d{4}年\d{1,2}月)[)）]", r"（\1）", first)
    issuer = title.split("大事记")[0] or None
    return Header(title=title, issuer=issuer, body=lines[body_start:])


# Title endings that name a document type of their own; checked after 任免 and 印发.
TITLE_TYPES = ("意见", "决定", "批复", "通告", "公告", "通报", "函", "规定", "报告")


def document_type(kind: str, docnum: str | None, title: str) -> str:
    """令 | 任免 | 大事记 | 报告 | 印发 | 意见 | 决定 | 批复 | 通告 | 公告 | 通报 | 函 | 规定 | 通知."""
    if kind in ("decree", "chronicle", "report"):
        return {"decree": "令", "chronicle": "大事记", "report": "报告"}[kind]
    if (docnum and "任〔" in docnum) or re.search(r"任免|任命|免去", title):
        return "任免"
    if "印发" in title:
        return "印发"
    return next((t for t in TITLE_TYPES if title.endswith(t)), "通知")


# "杭州市人民政府办公厅　2017年6月2日": signer and date on one line (spaces already squeezed out)
_SIGNED_LINE_RE = re.compile(rf"^(?P<signer>.+?)(?P<date>{ANY_DATE})$")


def _signature(body: list[str]) -> tuple[str, str] | None:
    """(signer, date line) of the first signature: a date line right after an issuer or 市长 line,
    or an issuer and a date on one line. A publicity note ("（此件公开发布）") at the end of the
    date line is not part of the date."""
    prev = ""
    for s in body:
        if not s.strip():
            continue
        if is_date_line(s) and (ISSUER_RE.match(prev) or SIGNER_ROLE_RE.match(prev)):
            return prev, without_publicity_note(s)
        m = _SIGNED_LINE_RE.match(strip_spaces(without_publicity_note(s)))
        if m and ISSUER_RE.match(m["signer"]) and is_date_line(m["date"]):
            return m["signer"], m["date"]
        prev = s
    return None


def signer(body: list[str]) -> str | None:
    """The organ that signed (its line before the signing date), when it is one and not a person."""
    sig = _signature(body)
    return strip_spaces(sig[0]) if sig and ISSUER_RE.match(sig[0]) else None


def signing_date(body: list[str], date_hint: str | None = None) -> str | None:
    """The date line right after an issuer line or a 市长 line (later "…印发" dates are printing dates)."""
    sig = _signature(body)
    if sig:
        return iso_date(sig[1])
    return iso_date(date_hint) if date_hint else None


_SENT_RE = re.compile(r"[^。；]+[。；]?")
# A sentence about the document's own validity: "自…起施行", "有效期…", "…同时废止"; 实施 and 执行 only
# with 起 ("自2015年4月1日起实施"), as "自行…执行" is no such sentence.
_VALIDITY_SENTENCE_RES = (
    re.compile(r"^(?=.*(?:施行|有效期|废止))(?:.*自.{0,20}(?:施行|执行)|.*有效期|.*同时废止|.*予以废止)"),
    re.compile(r"自.{0,16}?起(?:实施|执行)"),
)

_TAKES_EFFECT = r"(?:施行|执行|实施)"
# A period of validity with both ends, as an attached 办法's 附则 states it; (start, end) groups.
VALIDITY_PERIOD_RES = tuple(
    re.compile(p.format(D=ANY_DATE, V=_TAKES_EFFECT))
    for p in (
        r"自(?P<start>{D})起?(?:至|到)(?P<end>{D})止?(?:{V}|有效)",  # 自2015年4月1日至2020年3月31日施行; 自…起至…止施行
        r"自(?P<start>{D})起{V}[，,]?(?:有效期)?(?:至|到|截至)(?P<end>{D})止?",  # 自…起施行，至…止; 自…起施行，有效期至…
        r"有效期(?:为|是)?[：:]?(?:自|从)?(?P<start>{D})起?(?:至|到|—|－|-|～|~)(?P<end>{D})止?",  # 有效期自…起至…止, 有效期为…至…
    )
)
# "有效期5年" counts for the document only in a sentence about it ("本办法…施行，有效期5年"), not a
# permit's ("排污权证…有效期5年").
_ABOUT_THE_DOCUMENT_RE = re.compile(
    rf"^(?:第[{HEADING_NUMERALS}]+条\s*)?本[\u4e00-\u9fff]{{0,4}}?(?:办法|规定|意见|通知|方案|细则|制度|措施|决定|条例|规则|规划|计划)"
    rf"|{_TAKES_EFFECT}"
)


def _add_years(iso: str, years: int) -> str:
    d = date.fromisoformat(iso)
    try:
        end = d.replace(year=d.year + years)
    except ValueError:  # 29 February
        end = d.replace(year=d.year + years, day=28)
    return (end - timedelta(days=1)).isoformat()


def read_validity(texts: list[str], signed: str | None) -> dict | None:
    """施行 date, 有效期 end, repealed documents and the sentences that say so.

    The first 施行 date counts; the last stated end counts. A period stated with both ends
    ("自2015年4月1日至2020年3月31日施行", "自…起施行，有效期至…", "有效期自…起至…止") gives both.
    """
    effective = expires = None
    repeals: list[str] = []
    statements: list[str] = []
    for text in texts:
        for sent in _SENT_RE.findall(text):
            period = next((m for rx in VALIDITY_PERIOD_RES if (m := rx.search(sent))), None)
            if not period and not any(rx.search(sent) for rx in _VALIDITY_SENTENCE_RES):
                continue
            statements.append(sent.strip())
            m = re.search(rf"自(.{{0,16}}?)起{_TAKES_EFFECT}", sent)
            if m and not effective:
                effective = iso_date(m[1]) or (signed if re.search(r"印发|发布|公布", m[1]) else None)
            if period:
                effective = effective or iso_date(period["start"])
                expires = iso_date(period["end"]) or expires
            m = re.search(rf"有效期(?:至|到|截至)({ANY_DATE})", sent)
            if m:
                expires = iso_date(m[1])
            m = re.search(rf"有效期(?:为|是)?([{DIGITS}十{TWO}\d]+)年", sent)
            if m and not expires and (effective or signed) and _ABOUT_THE_DOCUMENT_RE.search(sent.strip()):
                n = int(m[1]) if m[1].isdigit() else cn_number(m[1])
                expires = _add_years(effective or signed, n) if n else None
            if "废止" in sent:
                for dm in [*DOCNUM_RE.finditer(sent), *DECREE_RE.finditer(sent)]:
                    dn = normalize_docnum(dm[0])
                    if dn and dn not in repeals:
                        repeals.append(dn)
    if not (effective or expires or repeals):
        return None
    return {"effective": effective, "expires": expires, "statement": "".join(dict.fromkeys(statements)), "repeals": tuple(repeals)}
