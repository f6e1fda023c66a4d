"""The embedded default for real: uvicorn and a db_worker beside it, SQLite; jobs run in the worker."""

from bench.bench_import import TIERS_SCRIPT, _wait, web_import
from bench.server import Server
from tests import fixtures_import as fx


def test_upload_preview_confirm_on_a_real_server(tmp_path):
    small = fx.write_xlsx(tmp_path / "ok.xlsx", [["Mã điểm cầu", "Tên điểm cầu", "Cấp"],
                                                  ["H", "Trung tâm", "Điểm cầu chính"], ["H-1", "Huyện Một", "Huyện"]])
    office = fx.province_bridge_list(tmp_path / "ds.xlsx")
    with Server() as server:
        server.manage("shell", "--no-imports", "-c", TIERS_SCRIPT)
        client = server.client(*server.create_organizer())
        try:
            web_import(client, small, "bridges", 2)
            with office.open("rb") as fh:
                resp = client.post("/bridges/import/", data={"kind": "bridges", "csrfmiddlewaretoken": client.csrf},
                                   files={"file": ("ds.xlsx", fh)})
            preview_id = int(resp.headers["location"].rstrip("/").rsplit("/", 1)[1])
            preview = _wait(client, preview_id)
            assert preview["result"]["counts"]["invalid"] == 1
            assert "Row 15" in client.get(f"/bridges/import/{preview_id}/", headers={"Accept-Language": "en"}).text \
                or "Dòng 15" in client.get(f"/bridges/import/{preview_id}/").text
            resp = client.post(f"/api/bridges/imports/{preview_id}/confirm", json={"skip_invalid": True})
            assert resp.status_code == 200, resp.text
            applied = _wait(client, resp.json()["job_id"])
            assert applied["result"]["counts"]["create"] == 6
            assert client.get("/api/bridges/?limit=1").json()["count"] == 8
        finally:
            client.close()
