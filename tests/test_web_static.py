"""The pages' corpus name comes from GET /api/corpus and goes in as text only (no browser needed)."""
from __future__ import annotations

import re

import pytest

from indexer.settings import REPO_ROOT

WEB = REPO_ROOT / "web"


@pytest.mark.parametrize("page", ["index.html", "agent.html", "document.html"])
def test_pages_take_the_corpus_name_from_the_service(page):
    html = (WEB / page).read_text("utf-8")
    assert "聊城市人民政府公报" not in html  # the name comes from /api/corpus (GAZETTE_CORPUS_NAME or the issuers)
    assert re.search(r"<title>[^<]* · 政府公报</title>", html)  # the tail common.js replaces
    assert '<span class="brand__name" data-corpus-name>' in html
    assert '<script src="/static/common.js" defer></script>' in html


def test_scripts_insert_text_only():
    for js in sorted((WEB / "static").glob("*.js")):
        code = js.read_text("utf-8")
        code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)  # comments may name what is never used
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in code, (js.name, sink)
    common = (WEB / "static" / "common.js").read_text("utf-8")
    assert 'getJSON("/api/corpus")' in common and "setText(node, name)" in common
