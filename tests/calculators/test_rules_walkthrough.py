"""docs/RULES_WALKTHROUGH.md end to end: upload a new region's document (admin API), draft a rule
set, review it beside its clauses, save it, and get a working estimate for that region."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ServiceSettings
from calculators import registry

DOC = Path(__file__).parent / "data" / "wuhan_resident_example.txt"
KEY = "walkthrough-admin-key"


class _StubKB:
    """The upload route only needs to list known files and re-ingest; the drafter reads the
    uploaded file through the knowledge base's own pipeline."""

    clauses: list[Any] = []

    def ingest(self, paths: Any = None, isolated: bool = False) -> dict[str, Any]:
        return {"n_files": 1, "errors": []}


@pytest.fixture()
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDPOLICY_DATA_DIR", str(tmp_path))
    registry.clear_cache()
    settings = ServiceSettings(data_dir=tmp_path, db_path=tmp_path / "service.sqlite3", admin_api_key=KEY,
                               _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings, kb=_StubKB(), warm_up=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    registry.clear_cache()


def test_from_uploaded_document_to_estimate(client):
    auth = {"X-API-Key": KEY}
    # 1. upload
    r = client.post("/api/admin/documents", headers=auth,
                    json={"filename": "wuhan_resident_example.txt", "content": DOC.read_text(encoding="utf-8")})
    assert r.status_code == 201, r.text
    # 2. draft (the page /rules does the same call)
    assert client.get("/rules").status_code == 200
    r = client.post("/api/admin/rules/draft", json={"document": "wuhan_resident_example.txt", "region": "武汉",
                                                    "scheme": "城乡居民", "year": 2024, "id": "wuhan-resident"})
    assert r.status_code == 401  # behind the admin key
    r = client.post("/api/admin/rules/draft", headers=auth,
                    json={"document": "wuhan_resident_example.txt", "region": "武汉", "scheme": "城乡居民",
                          "year": 2024, "id": "wuhan-resident", "title": "武汉市城乡居民医保"})
    assert r.status_code == 200, r.text
    body = r.json()
    cited = {c["chunk_id"] for c in body["draft"]["clauses"]}
    assert all(v["chunk_id"] in cited for v in body["draft"]["values"])  # each value beside its clause
    # 3. a broken edit is refused and saves nothing
    r = client.post("/api/admin/rules", headers=auth, json={"yaml": body["yaml"].replace("region: 武汉市", "region: 某某县")})
    assert r.status_code == 422 and "某某县" in r.json()["error"]["message"]
    assert not (Path(registry.local_rules_dir()) / "wuhan-resident.yaml").exists()
    # 4. save the reviewed file
    r = client.post("/api/admin/rules", headers=auth, json={"yaml": body["yaml"]})
    assert r.status_code == 201, r.text
    assert r.json()["periods"] == ["wuhan-resident-2024"]
    # 5. estimate: level 2, 10000 covered → (10000 − 500) × 70% = 6650; out of area:
    #    deductible 500 + 200 = 700, ratio 70% − 10 points = 60% → (10000 − 700) × 60% = 5580
    r = client.post("/api/estimate", json={"policy": "wuhan-resident", "date": "2024-05-01", "service": "inpatient",
                                           "covered_cost": "10000", "hospital_level": 2})
    assert r.status_code == 200, r.text
    assert r.json()["reimbursed"] == "6650.00"
    assert any(s.get("citation") for s in r.json()["steps"])
    r = client.post("/api/estimate", json={"policy": "wuhan-resident-2024", "service": "inpatient",
                                           "covered_cost": "10000", "hospital_level": 2, "out_of_area": True})
    assert r.json()["reimbursed"] == "5580.00"
