"""The admin API (upload, list, remove) and GET /api/corpus, in-process, over a real Engine with the fake embedder."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.parser import NOT_A_DOCUMENT
from indexer.settings import Settings
from service.app import MAX_BODY_BYTES, create_app
from service.engine import Engine
from tests.utils.admin import AUTH, COUNTY, FIXTURES, QUESTION, STANDALONE, SYNTHETIC, TOKEN, make_admin_settings, upload
from tests.utils.api import make_web_dir

def _client(settings: Settings, tmp_path: Path) -> TestClient:
    return TestClient(create_app(settings, Engine.load(settings), web_dir=make_web_dir(tmp_path)), raise_server_exceptions=False)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_admin_settings(tmp_path)


@pytest.fixture
def client(settings, tmp_path):
    with _client(settings, tmp_path) as c:
        yield c


# ---- off, and the token ----------------------------------------------------------------------


def test_admin_is_404_when_no_token_is_set(tmp_path):
    settings = make_admin_settings(tmp_path, admin_token=None)
    with _client(settings, tmp_path) as c:
        detail = {"detail": "admin endpoints are disabled: set GAZETTE_ADMIN_TOKEN"}
        for r in (c.get("/api/admin/documents", headers=AUTH), upload(c, ("a.txt", COUNTY.read_bytes())),
                  c.delete("/api/admin/documents/g.txt", headers=AUTH)):
            assert (r.status_code, r.json()) == (404, detail)
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == ["g.txt"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": "Bearer "}])
def test_missing_or_wrong_token_is_401(client, settings, headers):
    for r in (client.get("/api/admin/documents", headers=headers), upload(client, ("a.txt", COUNTY.read_bytes()), headers=headers),
              client.delete("/api/admin/documents/g.txt", headers=headers)):
        assert (r.status_code, r.json()) == (401, {"detail": "missing or wrong admin token"})
        assert r.headers["www-authenticate"] == "Bearer"
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == ["g.txt"]


# ---- upload --------------------------------------------------------------------------------------


def test_upload_makes_the_next_answer_cite_the_new_document(client):
    before = client.post("/api/ask", json={"question": QUESTION}).json()
    assert before["answered"] is False
    r = upload(client, ("余府发〔2012〕3号.txt", COUNTY.read_bytes()))
    assert r.status_code == 200
    data = r.json()
    [f] = data["files"]
    assert (f["filename"], f["source"], f["status"]) == ("余府发〔2012〕3号.txt", "余府发〔2012〕3号.txt", "added")
    [d] = f["documents"]
    assert d == {
        "doc_id": d["doc_id"], "docnum": "余府发〔2012〕3号", "title": "余姚市人民政府关于印发余姚市城区公共自行车管理办法的通知",
        "issuer": "余姚市人民政府", "date": "2012-01-09", "type": "印发", "indexed": True, "duplicate_of": None,
        "copies": [], "url": f"/documents/{d['doc_id']}",
    }
    assert data["index"]["rebuilt"] is True and data["index"]["documents"] == 4
    assert 0 < data["index"]["embedded"] < data["index"]["documents"] * 10 and data["index"]["reused"] > 0
    after = client.post("/api/ask", json={"question": QUESTION}).json()
    assert after["answered"] is True and after["citations"][0]["docnum"] == "余府发〔2012〕3号"
    assert "押金每卡200元" in after["answer"]
    assert client.get(d["url"].replace("/documents/", "/api/documents/")).status_code == 200
    for question in ("余府发〔2012〕3号", "请问余府发[2012]3号是什么文件"):  # any issuer's 文号, words before it
        assert [x["doc_id"] for x in client.get("/api/documents", params={"docnum": question}).json()["documents"]] == [d["doc_id"]]
    assert client.get("/healthz").json()["documents"] == 4


def test_each_file_gets_its_own_answer_and_the_good_ones_land(client, settings):
    r = upload(
        client,
        ("empty.txt", b""),
        ("gbk.txt", "聊城市人民政府公报".encode("gbk")),
        ("news.txt", (STANDALONE / "news_item_not_a_document.txt").read_bytes()),
        ("binary.txt", b"\x00\x01\x02 abc"),
        ("decree.txt", (STANDALONE / "city_decree_one_line.txt").read_bytes()),
    )
    assert r.status_code == 200
    files = r.json()["files"]
    assert [(f["filename"], f["status"], f["detail"]) for f in files[:4]] == [
        ("empty.txt", "error", "file is empty"),
        ("gbk.txt", "error", "text in GBK/GB18030, not UTF-8: save it as UTF-8; this service reads PDF, DOCX, HTML and UTF-8 text"),
        ("news.txt", "error", NOT_A_DOCUMENT),
        ("binary.txt", "error", "unknown format (starts with bytes 00 01 02 20 61 62 63), this service reads PDF, DOCX, HTML and UTF-8 text"),
    ]
    assert all(f["source"] is None and f["documents"] == [] for f in files[:4])
    assert (files[4]["status"], files[4]["documents"][0]["docnum"]) == ("added", "德州市人民政府令第12号")
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == ["decree.txt", "g.txt"]


def test_duplicates_are_reported_and_indexed_once(client):
    r = upload(client, ("again.txt", SYNTHETIC.read_bytes()))
    assert r.status_code == 200
    [f] = r.json()["files"]
    assert (f["status"], f["source"]) == ("duplicate", "g.txt")
    assert f["detail"] == "the same file is already in the corpus as g.txt; not added"
    assert all(d["indexed"] is False and d["duplicate_of"]["source"] == "g.txt" for d in f["documents"])
    assert r.json()["index"]["rebuilt"] is False and r.json()["index"]["documents"] == 3

    r = upload(client, ("copy.txt", (FIXTURES / "standalone_copy_of_synthetic_notice.txt").read_bytes()))
    [f] = r.json()["files"]
    [d] = f["documents"]
    assert (f["status"], d["indexed"], d["url"], d["duplicate_of"]["source"]) == ("added", False, None, "g.txt")
    assert r.json()["index"]["documents"] == 3
    assert r.json()["index"]["duplicates"] == [
        "copy.txt: 《聊城市人民政府办公室关于做好测试工作的通知》（聊政办字〔2030〕9号） is already in g.txt; this copy is skipped"
    ]
    assert len(client.get("/api/documents", params={"docnum": "聊政办字〔2030〕9号"}).json()["documents"]) == 1


def test_hostile_file_names_are_made_safe(client, settings):
    r = upload(client, ("../../<script>alert(1)</script>", COUNTY.read_bytes()))
    [f] = r.json()["files"]
    assert f["filename"] == "../../<script>alert(1)</script>"
    assert f["source"] == "script.txt"  # the base name after the last "/", without < >, ending in .txt
    assert (settings.corpus_dir / f["source"]).is_file()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # no body
        {"json": {"files": ["x"]}},  # not multipart
        {"data": {"files": "just a string"}},  # a form field, not a file
        {"files": [("other", ("a.txt", b"x", "text/plain"))]},  # wrong field name
        {"files": [("files", (f"{k}.txt", b"x", "text/plain")) for k in range(21)]},  # too many files
    ],
)
def test_bad_upload_requests_are_422(client, settings, kwargs):
    r = client.post("/api/admin/documents", headers=AUTH, **kwargs)
    assert r.status_code == 422, r.text
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == ["g.txt"]


def test_oversized_upload_is_413(tmp_path):
    """The upload route takes GAZETTE_MAX_UPLOAD_MB (a gazette PDF runs to 30 MB), other routes 4 MB."""
    with _client(make_admin_settings(tmp_path, max_upload_mb=1), tmp_path) as client:
        r = upload(client, ("big.txt", "公".encode() * (1024 * 1024 // 3 + 10)))
        assert r.status_code == 413 and r.json()["detail"].startswith("request body too large")
        assert r.json()["detail"].endswith("(max 1048576, GAZETTE_MAX_UPLOAD_MB)")
        r = client.post("/api/ask", content=b"{" + b" " * MAX_BODY_BYTES + b"}", headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and r.json()["detail"].endswith(f"(max {MAX_BODY_BYTES})")


# ---- list, remove --------------------------------------------------------------------------------


def test_list_sources_and_their_documents(client):
    upload(client, ("letter.txt", (STANDALONE / "state_council_office_letter.txt").read_bytes()))
    r = client.get("/api/admin/documents", headers=AUTH)
    assert r.status_code == 200
    data = r.json()
    assert data["corpus_name"] == "聊城市人民政府公报及国务院等文件"
    assert [(s["source"], s["indexed"], s["error"], [d["docnum"] for d in s["documents"]]) for s in data["sources"]] == [
        ("g.txt", True, None, ["聊政发〔2030〕1号", "聊政办字〔2030〕9号", None]),
        ("letter.txt", True, None, ["国办函〔2019〕12号"]),
    ]
    assert data["sources"][1]["documents"][0]["date"] == "2019-02-28"


def test_remove_a_source(client):
    upload(client, ("bike.txt", COUNTY.read_bytes()))
    doc_id = client.get("/api/documents", params={"docnum": "余府发〔2012〕3号"}).json()["documents"][0]["doc_id"]
    r = client.delete("/api/admin/documents/bike.txt", headers=AUTH)
    assert r.status_code == 200
    data = r.json()
    assert data["source"] == "bike.txt" and data["index"]["documents"] == 3
    assert [(d["docnum"], d["indexed"], d["duplicate_of"]) for d in data["documents"]] == [("余府发〔2012〕3号", False, None)]
    assert client.get(f"/api/documents/{doc_id}").status_code == 404
    assert client.post("/api/ask", json={"question": QUESTION}).json()["answered"] is False


@pytest.mark.parametrize("source", ["nope.txt", "..", "%2e%2e", "g.txt%00", "%E5%85%AC.txt", "g"])
def test_remove_unknown_source_is_404(client, source):
    r = client.delete(f"/api/admin/documents/{source}", headers=AUTH)
    assert r.status_code == 404
    assert r.json()["detail"].startswith("no source file") or r.json()["detail"] == "Not Found"


def test_removing_the_last_source_is_409(client, settings):
    r = client.delete("/api/admin/documents/g.txt", headers=AUTH)
    assert r.status_code == 409
    assert r.json()["detail"].startswith("g.txt not removed: the index without it cannot be built")
    assert (settings.corpus_dir / "g.txt").is_file() and client.get("/healthz").json()["documents"] == 3


# ---- the corpus's name, and the schema -------------------------------------------------------------


def test_corpus_name_follows_the_corpus(client):
    assert client.get("/api/corpus").json() == {"name": "聊城市人民政府公报", "documents": 3, "issuers": ["聊城市人民政府", "聊城市人民政府办公室"]}
    upload(client, ("web.txt", (STANDALONE / "state_council_web_page.txt").read_bytes()))
    assert client.get("/api/corpus").json()["name"] == "聊城市人民政府公报及国务院等文件"


def test_corpus_name_setting_wins(tmp_path):
    settings = make_admin_settings(tmp_path, corpus_name="余姚市政府文件库")
    with _client(settings, tmp_path) as c:
        assert c.get("/api/corpus").json()["name"] == "余姚市政府文件库"


def test_openapi_declares_every_status_the_admin_routes_return(client):
    paths = client.get("/openapi.json").json()["paths"]
    admin = paths["/api/admin/documents"]
    assert set(admin["post"]["responses"]) == {"200", "400", "401", "404", "413", "422", "429"}  # 429: rate limited
    assert set(admin["get"]["responses"]) == {"200", "401", "404", "429"}
    assert set(paths["/api/admin/documents/{source}"]["delete"]["responses"]) == {"200", "401", "404", "409", "422", "429"}
    body = admin["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    files = client.get("/openapi.json").json()["components"]["schemas"][body]["properties"]["files"]
    assert (files["type"], files["minItems"], files["maxItems"]) == ("array", 1, 20)
    assert admin["post"]["security"] == [{"HTTPBearer": []}]
    assert set(paths["/api/corpus"]["get"]["responses"]) == {"200"}
