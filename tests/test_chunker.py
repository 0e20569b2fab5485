"""Chunk invariants on the real corpus, and unit shapes on small documents."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.chunker import chunk_documents, embedding_text
from indexer.parser import parse_corpus, parse_gazette
from indexer.tokens import count_tokens

CORPUS = Path(__file__).resolve().parent.parent / "data" / "gazettes"


@pytest.fixture(scope="module")
def corpus():
    docs = parse_corpus([CORPUS])
    return docs, chunk_documents(docs, count_tokens, max_tokens=512, target_chars=500)


def test_chunk_count_and_bounds(corpus):
    docs, chunks = corpus
    assert 900 <= len(chunks) <= 1400
    assert max(c.n_tokens for c in chunks) <= 512
    assert all(c.n_tokens == count_tokens(c.text) for c in chunks)


def test_chunks_are_verbatim_paragraph_text_of_one_document(corpus):
    docs, chunks = corpus
    paragraphs = {p.paragraph_id: p for d in docs for p in d.paragraphs}
    for c in chunks:
        assert all(pid.startswith(c.doc_id) for pid in c.paragraph_ids)
        for line in c.text.split("\n"):
            assert any(line in paragraphs[pid].text for pid in c.paragraph_ids), (c.chunk_id, line[:40])


def test_chunk_never_crosses_an_embedded_document(corpus):
    docs, chunks = corpus
    by_id = {d.doc_id: d for d in docs}
    for c in chunks:
        doc = by_id[c.doc_id]
        paras = [p for p in doc.paragraphs if p.paragraph_id in c.paragraph_ids]
        scopes = {p.heading_path[1] for p in paras if len(p.heading_path) > 1 and p.heading_path[1] in doc.embedded_titles}
        assert len(scopes) <= 1, c.chunk_id


def test_an_article_is_one_unit(corpus):
    docs, chunks = corpus
    decree = next(d for d in docs if d.docnum == "聊城市人民政府令第46号")
    art16 = [c for c in chunks if c.doc_id == decree.doc_id and "第十六条 烈士子女接受教育的" in c.text]
    assert len(art16) == 1
    assert "（四）需要在本市中等职业学校就读的" in art16[0].text  # the list stays with its lead-in


def test_chronicle_day_entry_is_a_unit_with_its_triangles(corpus):
    docs, chunks = corpus
    month = next(d for d in docs if d.title == "聊城市人民政府大事记（2023年8月）")
    day29 = [c for c in chunks if c.doc_id == month.doc_id and c.text.startswith("29日，")]
    assert len(day29) == 1
    assert "△市委副书记、市长张百顺主持召开市政府常务会议" in day29[0].text
    assert day29[0].heading_path[-1] == "29日"


def test_appointment_notice_is_one_chunk(corpus):
    docs, chunks = corpus
    notice = next(d for d in docs if d.docnum == "聊政任〔2023〕13号")
    own = [c for c in chunks if c.doc_id == notice.doc_id]
    assert len(own) == 1 and "齐现强为聊城市农业技术推广服务中心主任" in own[0].text


def test_table_rows_are_chunks_and_the_repeated_header_one_chunk(corpus):
    """A Markdown table printed over four pages: its header (repeated on each) is one chunk, every
    body row a chunk of its own, indexed with the header names before its cells."""
    docs, chunks = corpus
    doc = next(d for d in docs if d.docnum == "聊政发〔2018〕61号")
    header = "|重点任务|序号|具体任务|建设目标|责任单位|完成时限|"
    assert [c.text for c in chunks if c.doc_id == doc.doc_id and header in c.text] == [header]
    rows = {p.paragraph_id: p for p in doc.paragraphs if p.kind == "table_row"}
    row_chunks = [c for c in chunks if c.doc_id == doc.doc_id and set(c.paragraph_ids) & set(rows)]
    assert len(row_chunks) == len(rows) and all(len(c.paragraph_ids) == 1 for c in row_chunks)
    first = next(c for c in row_chunks if c.text.startswith("|一、构建区域创新发展新格局"))
    assert first.index_text.startswith("重点任务 一、构建区域创新发展新格局｜序号 1｜具体任务 有序推进高新技术园区建设｜")


def test_small_token_limit_splits_long_paragraphs_verbatim(synthetic_gazette):
    docs = parse_gazette(synthetic_gazette)
    chunks = chunk_documents(docs, count_tokens, max_tokens=40, target_chars=60)
    assert max(c.n_tokens for c in chunks) <= 40
    text = "".join(p.text for d in docs for p in d.paragraphs)
    assert all(piece in text for c in chunks for piece in c.text.split("\n"))


def test_embedding_text_carries_label_and_path(corpus):
    docs, chunks = corpus
    c = next(c for c in chunks if "第十九条 本办法自2023年10月1日起施行" in c.text)
    assert embedding_text(c).startswith("聊城市烈士褒扬办法（聊城市人民政府令第46号）\n")
