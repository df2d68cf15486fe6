"""Seeing the facts: a fact's picture on its page (`vpetl show`), the totals per municipality,
and the store in Datasette, opened in a real browser (`vpetl browse`)."""

from __future__ import annotations

import io
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, text
from typer.testing import CliRunner, Result

from vpetl import picture
from vpetl.cli import app
from vpetl.schema import models as m
from vpetl.schema.db import open_store

from .conftest import ROOT

CRIMSON = picture.OUTLINE


def crimson_pixels(png: bytes) -> list[tuple[int, int]]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return [(x, y) for y in range(image.height) for x in range(image.width)
            if image.getpixel((x, y)) == CRIMSON]


def one(url: str, sql: str, **params: object) -> tuple:
    with open_store(url, create=False)() as s:
        return tuple(s.execute(text(sql), params).one())


def test_show_outlines_a_pdf_fact_where_its_bbox_says(demo_store, tmp_path):
    url, data = demo_store
    fact_id, bbox_json = one(url, "select fact_id, bbox from v_beneficiaries where name = 'Vanhoutte Metaalbouw nv'")
    out = tmp_path / "fact.png"
    result = CliRunner().invoke(app, ["show", fact_id, "--png", str(out), "--db", url, "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert f"{out}: {fact_id}: Vanhoutte Metaalbouw nv, 25000.00 EUR, page 1" in result.output
    red = crimson_pixels(out.read_bytes())
    x0, top, x1, bottom = (float(v) for v in bbox_json.strip("[]").split(","))
    scale = picture.RESOLUTION / 72
    # the outline's left edge is PAD points left of the row's box, MARGIN points below the band's top
    left = round((x0 - picture.PAD) * scale)
    assert {x for x, _ in red if abs(x - left) <= 2}, "no outline where the bbox starts"
    height = max(y for _, y in red) - min(y for _, y in red)
    assert abs(height - (bottom - top + 2 * picture.PAD) * scale) <= 3


def test_show_marks_a_worksheet_fact_in_its_table(demo_store, tmp_path):
    url, data = demo_store
    fact_id, raw = one(url, "select fact_id, raw_text from v_table_cells where sheet is not null and value is not null "
                            "order by fact_id limit 1")
    result = CliRunner().invoke(app, ["show", fact_id, "--png", str(tmp_path / "fact.png"), "--db", url,
                                      "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "fact.html").read_text()
    assert not (tmp_path / "fact.png").exists()
    assert page.count("<td class=fact>") == 1 and f"<td class=fact>{raw}</td>" in page


@pytest.fixture(scope="module")
def all_drawn(demo_store, tmp_path_factory) -> tuple[list[str], Path, Result]:
    """`show --all` on the demo store, once for this file (877 pictures, seconds of CPU): its
    arguments, folder and result. The browser's server starts with a copy of these pictures."""
    url, data = demo_store
    folder = tmp_path_factory.mktemp("show-all") / "p"
    args = ["show", "--all", "--dir", str(folder), "--db", url, "--data-dir", str(data)]
    return args, folder, CliRunner().invoke(app, args)


def test_show_all_draws_each_current_fact_once(demo_store, all_drawn):
    url, _ = demo_store
    args, folder, first = all_drawn
    facts = one(url, "select (select count(*) from v_table_cells) + (select count(*) from v_beneficiaries)")[0]
    assert first.exit_code == 0 and f"{facts} pictures written, 0 already there" in first.output
    again = CliRunner().invoke(app, args)
    assert f"0 pictures written, {facts} already there" in again.output
    assert len(list(folder.iterdir())) == facts


@pytest.mark.parametrize("args, says, code", [
    (["show", "nosuch", "--png", "x.png"], "no current fact with id nosuch", 1),
    (["show", "--png", "x.png"], "give FACT_ID with --png FILE, or --all", 2),
    (["show", "abc"], "give FACT_ID with --png FILE, or --all", 2),
])
def test_show_mistakes_are_one_line(demo_store, tmp_path, args, says, code):
    url, data = demo_store
    result = CliRunner().invoke(app, [*args, "--db", url, "--data-dir", str(data)])
    assert result.exit_code == code and says in result.output and len(result.output.strip().splitlines()) == 1


def test_totals_count_a_grant_once_however_many_questions_list_it(store_url, mirror_base, tmp_path):
    from vpetl.pipeline import ingest
    from vpetl.settings import Settings

    ingest("2019-2020", 289, settings=Settings(api_base=mirror_base, database_url=store_url,
                                                data_dir=tmp_path / "d", rate=100))
    sql = "select count(*), sum(beneficiaries), sum(total_cents) from v_municipality_totals"
    before = one(store_url, sql)
    assert before[1:] == one(store_url, "select count(*), sum(amount_cents) from v_beneficiaries "
                                        "where nis_code is not null") and before[1] > 50
    with open_store(store_url, create=False)() as s, s.begin():  # a second question lists the same annexes
        q = s.scalars(select(m.Question)).one()
        s.add(m.Question(id=q.id + 1, session_year=q.session_year, number=999, record={}, complete=True,
                         annexes=[m.Annex(position=a.position, label=a.label, url=a.url, document_id=a.document_id,
                                          status=a.status) for a in q.annexes]))
    assert one(store_url, sql) == before
    with open_store(store_url, create=False)() as s:
        listed = {row[0] for row in s.execute(text("select question_ids from v_municipality_totals"))}
    assert {",".join(sorted(x.split(","))) for x in listed} == {f"{q.id},{q.id + 1}"}


# ---- in a real browser --------------------------------------------------------------------------

CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(os.environ.get("VPETL_SCREENSHOTS", ROOT / "screenshots"))


BROWSER = pytest.mark.slow  # a browser and a server


@pytest.fixture(scope="module")
def browser():
    if not (CHROMEDRIVER and CHROMIUM):
        message = "needs Debian's chromium and chromium-driver (.ci/run installs them)"
        if os.environ.get("VPETL_TEST_BROWSER") == "required":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def served(demo_store, all_drawn, tmp_path_factory):
    """`vpetl browse` on a copy of the demo store with one disputed fact, on a free port. Its
    pictures are those `show --all` drew but one, which browse draws (and keeps the others)."""
    url, data = demo_store
    tmp = tmp_path_factory.mktemp("browse")
    db = tmp / "vpetl.sqlite"
    with sqlite3.connect(url.removeprefix("sqlite:///")) as source, sqlite3.connect(db) as copy:
        source.backup(copy)  # the store is in WAL mode: a file copy could miss what the log still holds
    shutil.copytree(data, tmp / "data")
    shutil.copytree(all_drawn[1], tmp / "data" / "pictures")
    drawn = sorted((tmp / "data" / "pictures").glob("*.png"))
    drawn[0].unlink()  # a page's picture: drawn by browse in its extraction worker
    common = ["--db", f"sqlite:///{db}", "--data-dir", str(tmp / "data")]
    disputed = one(f"sqlite:///{db}", "select fact_id from v_table_cells where raw_text = '198.707,50€' "
                                      "and annex_label is null")[0]
    review = CliRunner().invoke(app, ["review", disputed, "--action", "dispute", "--why", "sum looks off",
                                      "--by", "test", *common[:2]])
    assert review.exit_code == 0, review.output
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp / "browse.log").open("w")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "vpetl"), "browse", "--port", str(port), *common],
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a picture drawn and Datasette started, on a loaded machine
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    assert proc.poll() is None, (tmp / "browse.log").read_text()
    said = (tmp / "browse.log").read_text()  # written before Datasette starts
    assert f"pictures: 1 drawn, {len(list((tmp / 'data' / 'pictures').iterdir())) - 1} already there" in said, said
    yield base, disputed
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def shot(driver, name: str) -> bytes:
    SHOTS.mkdir(parents=True, exist_ok=True)
    png = driver.get_screenshot_as_png()
    (SHOTS / f"{name}.png").write_bytes(png)
    return png


@BROWSER
def test_the_views_have_titles_facets_and_canned_queries(browser, served):
    from selenium.webdriver.common.by import By

    base, _ = served
    browser.get(f"{base}/vpetl")
    page = browser.find_element(By.TAG_NAME, "body").text
    for title in ("What did a municipality receive, by year, in which answers?", "Checks that did not pass",
                  "Facts under review: disputed or corrected by a person"):
        assert title in page
    shot(browser, "1-database")
    browser.get(f"{base}/vpetl/v_municipality_totals?municipality=Lier")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Totals per municipality and year, across all")
    facets = browser.find_element(By.CSS_SELECTOR, ".facet-results").text
    assert "year" in facets
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")]
    assert len(rows) == 2 and all("12021 Lier" in r for r in rows)
    assert any("41000.00" in r for r in rows)
    shot(browser, "2-municipality-totals")


@BROWSER
def test_a_disputed_fact_is_under_review(browser, served):
    from selenium.webdriver.common.by import By

    base, disputed = served
    browser.get(f"{base}/vpetl/facts_under_review")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")]
    assert len(rows) == 1 and disputed in rows[0] and "sum looks off" in rows[0] and "198707.50" in rows[0]
    shot(browser, "3-under-review")


@BROWSER
def test_a_fact_links_to_its_picture(browser, served):
    from selenium.webdriver.common.by import By

    base, _ = served
    browser.get(f"{base}/vpetl/v_beneficiaries?name=Vanhoutte+Metaalbouw+nv")
    link = browser.find_element(By.CSS_SELECTOR, "td.col-fact_id a")
    link.click()
    assert browser.current_url.endswith(".png") and "/pictures/" in browser.current_url
    image = browser.find_element(By.TAG_NAME, "img")
    assert browser.execute_script("return arguments[0].naturalWidth", image) > 500
    png = shot(browser, "4-fact-on-its-page")
    assert len(crimson_pixels(png)) > 200  # the outline, as the browser shows it


@BROWSER
def test_questions_have_a_party_facet_and_a_by_party_query(browser, served):
    from selenium.webdriver.common.by import By

    base, _ = served
    browser.get(f"{base}/vpetl/v_questions")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Questions, with who asked and their party")
    facets = browser.find_element(By.CSS_SELECTOR, ".facet-results").text
    assert "asker_party_name" in facets and "CD&V" in facets and "sp·a" in facets
    shot(browser, "5-questions-by-party-facet")
    browser.get(f"{base}/vpetl/questions_and_grants_by_party")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")]
    assert any("Vooruit" in r and "sp·a" in r for r in rows) and sum("2019-2020" in r for r in rows) == 6
    shot(browser, "6-questions-and-grants-by-party")
