"""Gazette file → documents with metadata and paragraphs.

    read text → clean lines → front matter (issue, TOC) → articles → moved tails restored
    → per article: header, paragraphs with heading paths, type, signing date, validity

A file that is no gazette issue is a standalone document as saved from a government website
(a web page's metadata table read and taken out first); see parse_gazette. Copies of one
document across files are dropped by parse_files (indexer.duplicates).
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .articles import Article, attach_toc, restore_moved_blocks, split_articles
from .duplicates import Duplicate, drop_duplicates
from .errors import GazetteParseError
from .frontmatter import parse_front_matter
from .metadata import document_type, read_header, read_validity, signing_date, title_block
from .models import Document, GazetteIssue, Paragraph, Validity
from .pages import documents_with_pages
from .paragraphs import RawParagraph, build_paragraphs, is_embedded_title
from .tables import table_row_lines
from .text import clean_line, iso_date, normalize_docnum, strip_markup, strip_spaces

log = logging.getLogger(__name__)


@dataclass
class ParseResult:
    documents: list[Document] = field(default_factory=list)  # one per document: copies left out
    errors: list[GazetteParseError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)  # the copies left out (indexer.duplicates)


def make_doc_id(docnum: str | None, title: str, issue: GazetteIssue | None, date: str | None) -> str:
    """Stable across runs: derived from what identifies the document, not from file order."""
    key = "|".join([docnum or "", title, issue.total if issue else "", date or ""])
    return "d" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


NOT_A_DOCUMENT = (
    "not a gazette or government document: no 文号 line, 令 number, 大事记 or 工作报告 heading, "
    "and no title with a signature (issuer and date)"
)

# The metadata table a government web page prints above a document (gov.cn and most city sites).
WEB_META_RE = re.compile(
    r"^(索引号|主题分类|发文机关|发布机构|成文日期|标题|名称|发文字号|文号|发布日期|生成日期|主题词|公文种类|有效性|"
    r"体裁分类|组配分类|信息来源|来源)[：:]\s*(.*)$"
)


def parse_gazette(path: Path, progress=None, cache_dir: Path | None = None) -> list[Document]:
    """All articles of one gazette file, or the one document of a standalone file, as documents.

    The file is read in the form it was published (indexer.readers: UTF-8 text, PDF, a saved web
    page, DOCX) into lines, then parsed as parse_lines does. Raises GazetteParseError.
    """
    from .readers import read_source

    source = read_source(path, progress=progress, cache_dir=cache_dir)
    docs = parse_lines(source.lines, path, source.meta)
    if source.pages:
        docs = documents_with_pages(docs, source.lines, source.pages)
    fmt = {"source_format": source.format, "source_pages": source.page_count}
    return [replace(d, **fmt) for d in docs]


def parse_lines(lines: list[str], path: Path, meta: dict[str, str] | None = None) -> list[Document]:
    """The documents of a file's lines, as a text conversion holds them.

    A gazette issue (cover, table of contents) is cut into its articles. A file that is no issue
    is a standalone document as saved from a government website: one or more 文号/令 headers
    split it as in an issue (the bundled 十四五 plan), and a file with no such header is one
    document when it has a title and a signature (issuer + date). `meta` holds fields the file's
    format states (a portal page's metadata table): they win over the web-metadata lines of the
    text. Raises GazetteParseError.
    """
    raw_lines = [strip_markup(s) for s in lines]
    front = parse_front_matter(raw_lines)
    body = clean_body(lines[front.body_start :])
    meta_found: dict[str, str] = {}
    if not front.is_gazette_issue:
        body, meta_found = take_web_metadata(body)
    meta_found.update(meta or {})
    articles = split_articles(body)
    if articles and not front.is_gazette_issue:
        articles[0].preamble, articles[0].meta = body[: articles[0].start], meta_found
    elif not articles and not front.is_gazette_issue:
        articles = whole_file_document(body, meta_found)
    if not articles:
        raise GazetteParseError(str(path), NOT_A_DOCUMENT)
    attach_toc(articles, front.toc)
    if front.toc and len(front.toc) != len(articles):
        log.warning("%s: %d articles found but the table of contents lists %d", path, len(articles), len(front.toc))
    restore_moved_blocks(articles)
    return [_document(a, front.issue, path) for a in articles]


def clean_body(lines: list[str]) -> list[str]:
    """The body's lines cleaned; a table row cell by cell, its cells joined by a tab (indexer.tables)."""
    rows = table_row_lines(lines)
    return [rows[i] if i in rows else clean_line(strip_markup(s)) for i, s in enumerate(lines)]


def take_web_metadata(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """Lines without a web page's metadata table (标题：…, 发文字号：…), and its fields.

    Only the top of the file is searched: the table sits above the document. Keys are read
    without spaces ("索  引  号" is 索引号); empty values are left out.
    """
    meta: dict[str, str] = {}
    out: list[str] = []
    for k, s in enumerate(lines):
        m = WEB_META_RE.match(strip_spaces(s)) if k < 40 else None
        if m:
            if m[2]:
                meta.setdefault(m[1], m[2])
            continue
        out.append(s)
    if "发文字号" not in meta and "文号" in meta:
        meta["发文字号"] = meta["文号"]
    if "标题" not in meta and "名称" in meta:
        meta["标题"] = meta["名称"]
    return out, meta


def whole_file_document(lines: list[str], meta: dict[str, str]) -> list[Article]:
    """A standalone file with no 文号 line: one document when it has a title and a signature
    (an issuer line, then the date), or a 文号 in its web metadata. Else nothing."""
    docnum = normalize_docnum(meta.get("发文字号", ""))
    titled = title_block(lines) is not None or "标题" in meta
    signed = signing_date(lines) is not None
    if titled and (signed or docnum):
        return [Article(kind="document", lines=lines, docnum=docnum, meta=meta)]
    return []


def _document(article: Article, issue: GazetteIssue | None, path: Path) -> Document:
    header = read_header(article)
    chronicle = article.kind == "chronicle"
    # the title line is paragraph 0: a lookup by 文号 quotes it like any other text of the document
    raw = [RawParagraph((header.title,), header.title, "title"), *build_paragraphs(header.body, header.title, chronicle=chronicle)]
    date = None if chronicle else signing_date(header.body, header.date_hint)
    if date is None and not chronicle:
        date = iso_date(article.meta.get("成文日期", ""))  # a web page's metadata table
    doc_id = make_doc_id(article.docnum, header.title, issue, date)
    paragraphs = [
        Paragraph(f"{doc_id}-p{k:04d}", doc_id, k, p.heading_path, p.text, p.kind, table=p.table, day=p.day, day_end=p.day_end)
        for k, p in enumerate(raw)
    ]
    validity = read_validity([p.text for p in paragraphs], date)
    embedded = tuple(
        dict.fromkeys(p.heading_path[1] for p in paragraphs if len(p.heading_path) == 2 and is_embedded_title(p.text))
    )
    return Document(
        doc_id=doc_id,
        docnum=article.docnum,
        title=header.title,
        issuer=header.issuer,
        date=date,
        type=document_type(article.kind, article.docnum, header.title),
        issue=issue,
        validity=Validity(**validity) if validity else None,
        source_file=path.name,
        paragraphs=paragraphs,
        embedded_titles=embedded,
    )


def gazette_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their gazette files (text, PDF, HTML, DOCX), sorted; keep files as given."""
    from .readers import SUFFIXES

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


def parse_files(paths: list[Path], cache_dir: Path | None = None) -> ParseResult:
    """Parse every file; a bad file is reported and skipped, the others still parse.

    A document found in several files is kept once; the copies are listed in `duplicates`.
    """
    result = ParseResult()
    docs: list[Document] = []
    for path in gazette_files(paths):
        try:
            docs.extend(parse_gazette(path, cache_dir=cache_dir))
        except GazetteParseError as e:
            result.errors.append(e)
    result.documents, result.duplicates = drop_duplicates(docs)
    return result


def parse_corpus(paths: list[Path]) -> list[Document]:
    """All documents of the given files; raises on the first bad file."""
    result = parse_files(paths)
    if result.errors:
        raise result.errors[0]
    return result.documents
