"""Admin "add documents": multipart upload in any supported encoding, behind the API key; a bad
file is named with its reason and the rest still goes in; nothing stored earlier is lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api_fakes import FakeAssistant, FakeCalculators, FakeKB, make_settings
from test_api_endpoints import assert_error

KEY = {"X-API-Key": "s3cret-admin-key"}
GB_TEXT = "乙县城乡居民医保办法\n第一条 二级医院住院起付线500元。\n"
BIG5_TEXT = "丙市醫療保險辦法\n第二條 門診統籌每年限額300元。\n"
HTML_TEXT = "<html><body><h1>丁市通知</h1><p>住院分娩定额补助1000元。</p></body></html>"


def upload(client: TestClient, *files: tuple[str, bytes], headers: dict[str, str] | None = None) -> Any:
    return client.post("/api/admin/documents", headers=KEY if headers is None else headers,
                       files=[("files", (name, data, "application/octet-stream")) for name, data in files])


def uploads(settings: Any) -> Path:
    return Path(settings.data_dir) / "uploads"


def test_multipart_upload_in_gb18030_big5_and_utf8(client: TestClient, fake_kb: FakeKB, settings: Any) -> None:
    files = [("乙县办法.txt", GB_TEXT.encode("gb18030")), ("丙市辦法.md", BIG5_TEXT.encode("big5")),
             ("丁市 通知（2024）.html", HTML_TEXT.encode("utf-8"))]
    r = upload(client, *files)
    assert r.status_code == 201, r.text
    body = r.json()
    assert [a["file"] for a in body["added"]] == [name for name, _ in files]
    assert body["added"][0]["encoding"].lower() in {"gb18030", "gbk", "gb2312"}
    assert body["added"][1]["encoding"].lower() in {"big5", "big5hkscs", "cp950"}
    assert body["rejected"] == []
    for name, data in files:  # stored byte for byte, in the original encoding
        assert (uploads(settings) / name).read_bytes() == data
    assert fake_kb.ingested == [[uploads(settings)]]  # one rebuild for the whole request
    assert not [p for p in uploads(settings).iterdir() if p.name.startswith(".")]  # staging cleaned up


def test_bad_files_named_with_reason_and_the_rest_still_ingests(client: TestClient, fake_kb: FakeKB,
                                                               settings: Any) -> None:
    r = upload(client, ("好文件.txt", GB_TEXT.encode("gb18030")), ("扫描件.pdf", b"%PDF-1.4 ..."),
               ("空文件.txt", b"  \n"), ("乱码.txt", b"\x00\x01\x02\xff\xfe" * 50), ("a.txt", b"same name"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert [a["file"] for a in body["added"]] == ["好文件.txt"]
    reasons = {e["file"]: e["reason"] for e in body["rejected"]}
    assert set(reasons) == {"扫描件.pdf", "空文件.txt", "乱码.txt", "a.txt"}
    assert "PDF" in reasons["扫描件.pdf"] and "损坏" in reasons["扫描件.pdf"]
    assert "为空" in reasons["空文件.txt"]
    assert "编码" in reasons["乱码.txt"]
    assert "同名" in reasons["a.txt"]  # a.txt is already cited by the library
    assert sorted(p.name for p in uploads(settings).iterdir()) == ["好文件.txt"]
    assert len(fake_kb.ingested) == 1


def test_only_bad_files_is_422_naming_the_file(client: TestClient, fake_kb: FakeKB) -> None:
    err = assert_error(upload(client, ("乱码.txt", b"\x00\x01\x02\xff\xfe" * 50), ("说明.docx", b"PK\x03\x04")),
                       422, "document_rejected", "files")
    assert "“乱码.txt”未导入" in err["message"] and "编码" in err["message"]
    assert "另有 1 个文件" in err["message"]
    assert [d["file"] for d in err["details"]] == ["乱码.txt", "说明.docx"]
    assert fake_kb.ingested == []  # nothing to rebuild


@pytest.mark.parametrize("name", ["../evil.txt", "a/b.txt", ".hidden.txt", "x" * 130 + ".txt", "run.sh"])
def test_unsafe_names_refused(client: TestClient, settings: Any, name: str) -> None:
    err = assert_error(upload(client, (name, "第一条 内容。".encode())), 422, "document_rejected", "files")
    assert "文件名" in err["message"] or "文件类型" in err["message"]
    assert not (Path(settings.data_dir) / "evil.txt").exists()


def test_existing_upload_is_never_overwritten(client: TestClient, settings: Any) -> None:
    assert upload(client, ("乙县办法.txt", GB_TEXT.encode("gb18030"))).status_code == 201
    err = assert_error(upload(client, ("乙县办法.txt", b"replacement")), 422, "document_rejected", "files")
    assert "同名" in err["message"]
    assert (uploads(settings) / "乙县办法.txt").read_bytes() == GB_TEXT.encode("gb18030")


def test_failed_rebuild_keeps_earlier_files_and_removes_new_ones(client: TestClient, fake_kb: FakeKB,
                                                                 settings: Any) -> None:
    assert upload(client, ("乙县办法.txt", GB_TEXT.encode("gb18030"))).status_code == 201
    fake_kb.fail_ingest = RuntimeError("disk full /secret/path")
    r = upload(client, ("丙市辦法.md", BIG5_TEXT.encode("big5")))
    err = assert_error(r, 422, "ingest_failed")
    assert "原有知识库保持不变" in err["message"] and "/secret/path" not in r.text
    assert sorted(p.name for p in uploads(settings).iterdir()) == ["乙县办法.txt"]
    fake_kb.fail_ingest = None
    assert client.post("/api/search", json={"query": "起付线"}).json()["results"]  # still served
    actions = [e["action"] for e in client.app.state.services.db.audit_log()]
    assert actions[:2] == ["add_documents_failed", "add_documents"]


def test_upload_requires_the_key(client: TestClient, settings: Any) -> None:
    assert_error(upload(client, ("a1.txt", b"x"), headers={}), 401, "unauthorized", "X-API-Key")
    assert_error(upload(client, ("a1.txt", b"x"), headers={"X-API-Key": "nope"}), 401, "unauthorized")
    assert not uploads(settings).exists()


def test_upload_without_files_or_wrong_type(client: TestClient) -> None:
    form = b'--B\r\nContent-Disposition: form-data; name="note"\r\n\r\nno file\r\n--B--\r\n'
    r = client.post("/api/admin/documents", content=form,
                    headers={**KEY, "Content-Type": "multipart/form-data; boundary=B"})
    assert_error(r, 422, "invalid_input", "files")
    assert_error(client.post("/api/admin/documents", headers={**KEY, "Content-Type": "text/plain"}, content=b"hi"),
                 415, "unsupported_media_type")


def test_oversized_document_refused(client: TestClient, settings: Any) -> None:
    big = ("第一条 起付线500元。\n" * 400_000).encode("utf-8")[: 5 * 1024 * 1024 + 10]
    err = assert_error(upload(client, ("大文件.txt", big)), 422, "document_rejected", "files")
    assert "过大" in err["message"]
    assert_error(upload(client, ("巨大.txt", b"x" * (9 * 1024 * 1024))), 413, "payload_too_large")


def test_json_upload_still_works(client: TestClient, fake_kb: FakeKB, settings: Any) -> None:
    import base64

    r = client.post("/api/admin/documents", headers=KEY,
                    json={"filename": "丙市辦法.txt", "content_base64": base64.b64encode(BIG5_TEXT.encode("big5")).decode()})
    assert r.status_code == 201 and r.json()["added"][0]["file"] == "丙市辦法.txt"
    assert_error(client.post("/api/admin/documents", headers=KEY, json={"filename": "x.txt"}),
                 422, "invalid_input", "content")
    assert_error(client.post("/api/admin/documents", headers=KEY, json={"filename": "x.txt", "content_base64": "@@"}),
                 422, "invalid_input", "content_base64")


def test_audit_log_masks_personal_data(client: TestClient) -> None:
    upload(client, ("张三13912345678.txt", GB_TEXT.encode("gb18030")))
    detail = client.app.state.services.db.audit_log()[0]["detail"]
    assert "13912345678" not in detail and "电话已隐去" in detail


# -- the real knowledge base: the upload is searchable, a failed rebuild keeps the old index ------
def test_real_knowledge_base_upload_and_failed_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from knowledge_base.service import KnowledgeBase

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "甲县办法.txt").write_bytes(
        "甲县城乡居民基本医疗保险实施办法\n第一条 为保障参保人员基本医疗需求，制定本办法。\n"
        "第二条 一级医院住院起付线200元，报销比例85%。\n".encode("gb18030"))
    settings = make_settings(tmp_path, corpus_dirs=[corpus], dense_weight=0, admin_api_key=KEY["X-API-Key"])
    app = create_app(settings, assistant=FakeAssistant(), calculators=FakeCalculators(), warm_up=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = upload(c, ("丙市辦法.txt", "丙市醫療保險辦法\n第一條 門診統籌每年限額300元。\n第二條 慢性病門診報銷比例60%。\n"
                                     .encode("big5")))
        assert r.status_code == 201, r.text
        hits = c.post("/api/search", json={"query": "门诊统筹限额", "top_k": 3}).json()["results"]
        assert any(h["sources"][0]["file"] == "丙市辦法.txt" and "300元" in h["text"] for h in hits)

        def broken(*_: Any, **__: Any) -> Any:
            raise OSError("no space left on device")

        monkeypatch.setattr(KnowledgeBase, "_build", classmethod(broken))
        monkeypatch.setattr(KnowledgeBase, "add_documents", broken)  # uploads add incrementally (issue 11)
        r = upload(c, ("丁市通知.txt", "丁市通知\n第一条 住院分娩定额补助1000元。\n".encode("utf-8")))
        assert_error(r, 422, "ingest_failed")
        hits = c.post("/api/search", json={"query": "门诊统筹限额", "top_k": 3}).json()["results"]
        assert any(h["sources"][0]["file"] == "丙市辦法.txt" for h in hits)  # previous index still served
        assert not (tmp_path / "uploads" / "丁市通知.txt").exists()


def test_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    """No Content-Length: the body is counted as it streams."""

    def chunks() -> Any:
        for _ in range(20):
            yield b" " * (64 * 1024)

    r = client.post("/api/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert_error(r, 413, "payload_too_large")



def test_effective_date_given_at_upload_is_stored_and_checked(client: TestClient, fake_kb: FakeKB,
                                                             settings: Any) -> None:
    r = client.post("/api/admin/documents", headers=KEY,
                    files=[("files", ("新办法.txt", "第一条 住院起付线为600元。".encode()))],
                    data={"effective_date": "2016年1月1日"})
    assert r.status_code == 201, r.text
    sidecar = uploads(settings) / "新办法.txt.meta.json"
    assert json.loads(sidecar.read_text("utf-8")) == {"effective_from": "2016-01-01"}
    err = assert_error(client.post("/api/admin/documents", headers=KEY,
                                   files=[("files", ("另一个.txt", "第一条 内容。".encode()))],
                                   data={"effective_date": "明年"}), 422, "invalid_input", "effective_date")
    assert "生效日期" in err["message"]
    assert not (uploads(settings) / "另一个.txt").exists()
