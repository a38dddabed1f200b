"""In headless chromium: a 录入员 uploads a file, sees the per-file summary and can fetch the rejects."""
from __future__ import annotations

import pytest

from browser_util import browser_page, serve
from test_web_upload import persons_csv
from webutil import PASSWORD, new_user

pytestmark = pytest.mark.browser


def test_loader_uploads_a_file_and_sees_the_summary(app, store, artifacts, tmp_path):
    name = new_user(app, "loader", ["T1"])
    f = tmp_path / "扣押人员.csv"
    f.write_bytes(persons_csv())
    with serve(app) as base, browser_page() as (page, problems):
        page.goto(base + "/login")
        page.fill("#name", name)
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.goto(base + "/cases/T1/upload")
        page.set_input_files("#files", str(f))
        page.select_option("#kind", "persons")
        page.click("#upload-button")
        page.wait_for_selector("#summary .file-summary", timeout=30000)
        page.wait_for_function("() => document.body.dataset.uploaded", timeout=30000)
        assert "扣押人员.csv" in page.inner_text("#batches")
        row = page.inner_text("#summary .file-summary")
        assert "扣押人员.csv" in row and "1" in row
        page.screenshot(path=str(artifacts / "web-6-upload.png"), full_page=True)
        with page.expect_download() as dl:
            page.click("#summary .rejects-link")
        assert "rejects" in dl.value.suggested_filename
        assert not problems, problems
