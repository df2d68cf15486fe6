"""The live service's forms (vlpar-api.md section 7): the mirror serves them, the readers read
them, and the real bodies in ../shared/real-api are refused for what they are, never read as empty."""

from __future__ import annotations

import csv
import json
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from vpetl import pipeline
from vpetl.cli import app
from vpetl.schema import models as m
from vpetl.schema.db import open_store
from vpetl.schema.export import questions
from vpetl.settings import BY_AGGREGATE_TYPE, BY_INITIATIVE, Settings
from vpetl.vlpar import api, forms, mirror
from vpetl.vlpar.client import Client

from . import hostile
from .conftest import SHARED
from .test_hostile import MARKUP, SEARCH_CASES

# -- the readers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, day", [
    ("2020-01-23", date(2020, 1, 23)), ("2020-01-23T00:00:00", date(2020, 1, 23)),
    ("2024-10-09T00:00:00+0200", date(2024, 10, 9)), ("2024-10-09T00:00:00+02:00", date(2024, 10, 9)),
    ("2020-01-22T23:00:00Z", date(2020, 1, 23)),  # midnight in Brussels
    ("2020-01-23T10:00:00.123+0100", date(2020, 1, 23)),
    ("2020-02-30", None), ("23/01/2020", None), ("", None), (None, None), (20200123, None),
])
def test_dates_are_read_in_every_form(value, day):
    assert forms.read_date(value) == day


@pytest.mark.parametrize("value, flag", [
    (True, True), (False, False), ("J", True), ("N", False), ("ja", True), ("nee", False), ("true", True),
    ("false", False), ("Tijdig", True), ("Laattijdig", False), (1, True), (0, False), ("misschien", None), (None, None),
])
def test_flags_are_read_in_every_form(value, flag):
    assert forms.read_flag(value) is flag


def test_numbers_as_text_lists_of_one_and_keys_in_any_order():
    body = json.dumps({"vraagnummer": "289", "tijdig": "J", "thema": "Economie", "id": "1402289",
                       "procedureverloop": {"status": "Vraag gesteld aan de minister",
                                            "datum": "2020-01-23T00:00:00+0100"},
                       "bestand-ordered": {"URL": "https://docs.vlaamsparlement.be/files/pfile?id=1"},
                       "onderwerp": "Subsidies  -  Stand van zaken"}, sort_keys=True).encode()
    r = api.parse_record(body, 1402289)
    assert (r.id, r.number, r.timely, r.themes, r.date_asked) == (1402289, 289, True, ["Economie"], date(2020, 1, 23))
    assert r.files == ["https://docs.vlaamsparlement.be/files/pfile?id=1"]
    assert (r.title, r.display_title) == ("Subsidies  -  Stand van zaken", "Subsidies - Stand van zaken")
    assert r.date_answered is None and r.status == "Vraag gesteld aan de minister"


def test_steps_are_chosen_by_their_status_never_by_position():
    steps = [{"datum": "2020-03-02T00:00:00+0100", "status": "Antwoord gepubliceerd"},
             {"datum": "2020-02-21T00:00:00+0100", "status": "Laattijdig beantwoord"},
             {"datum": "2020-01-23T00:00:00+0100", "status": "Vraag gesteld aan de minister"}]
    r = api.parse_record({"id": 5, "procedureverloop": steps})
    assert (r.date_asked, r.date_answered, r.status) == (date(2020, 1, 23), date(2020, 2, 21), "Laattijdig beantwoord")
    assert r.sources == {"date_asked": "record procedureverloop 'Vraag gesteld aan de minister'",
                         "date_answered": "record procedureverloop 'Laattijdig beantwoord'",
                         "status": "record procedureverloop 'Laattijdig beantwoord'"}


def test_the_three_hit_forms_are_read():
    def hit(id_: str, **tags: str) -> api.Hit:
        return api.parse_hit({"id": id_, "metatags": {"metatag": [{"name": k, "value": v} for k, v in tags.items()]}})

    bare, document, line = (hit("http://be.vlp.feed/900718"), hit("http://be.vlp.feed/900718/pfls/490915"),
                            hit("http://be.vlp.feed/900718/jnl/3"))
    assert [(h.id, h.document_id, h.form) for h in (bare, document, line)] == [
        (900718, None, "question"), (900718, 490915, "document"), (900718, None, "journal")]
    assert hit("http://be.vlp.feed/1", aggregaattype="Vraag om uitleg").other_kind() == "Vraag om uitleg"
    assert hit("http://be.vlp.feed/1", soort="VI").other_kind() == "soort VI"
    assert hit("x", opendata="https://ws.vlpar.be/e/opendata/vi/7").other_kind() == "opendata vi"
    assert hit("http://be.vlp.feed/1", aggregaattype="Schriftelijke vraag", soort="SCHV").other_kind() is None


@pytest.mark.parametrize("body, reason", [
    (b'{"error": "Internal Server Error", "status": 500}', "not a search page (no 'result'"),
    (b'{"count": "3", "result": null}', "not a search page ('result' is NoneType"),
    (b"[]", "not a search page (a JSON list"),
    (b'{"message": "\x1b[31mred\xe2\x80\xae"}', "JSONDecodeError"),  # raw controls: not even JSON
])
def test_a_body_that_is_not_a_search_page_is_an_error_with_its_first_bytes(body, reason):
    with pytest.raises(api.SearchError, match=re.escape(reason)) as err:
        api.read_search_page(body, "http://x/api/search/query/q")
    message = str(err.value)
    assert "the body starts with" in message and body[:8].decode() in message
    assert not forms.UNPRINTABLE.search(message)  # control and bidi characters do not reach a terminal


# -- the real bodies --------------------------------------------------------------------------------

REAL = sorted((SHARED / "real-api").glob("*.json")) if (SHARED / "real-api").is_dir() else []


@pytest.mark.shared
@pytest.mark.parametrize("path", REAL, ids=[p.name[:40] for p in REAL])
def test_each_real_body_is_refused_by_the_record_and_search_readers(path):
    """A member, a committee, a party list: real bodies of the same service, none a written
    question or a search page; each is refused with a reason, none reads as an empty result."""
    body = path.read_bytes()
    for asked in (None, 4383):
        with pytest.raises(api.RecordError, match="not a written question's record|it has no id"):
            api.parse_record(body, asked)
    with pytest.raises(api.SearchError, match=r"not a search page \(no 'result'"):
        api.read_search_page(body, "https://ws.vlpar.be/api/search/query/x")


@pytest.mark.shared
def test_the_real_bodies_are_there():
    assert len(REAL) == 3


# -- the mirror serves the attested forms, and they are read ---------------------------------------


@pytest.fixture(scope="module")
def served():
    server, base = mirror.start()
    try:
        yield base, Client(Settings(api_base=base, rate=0))
    finally:
        server.shutdown()


def test_the_mirror_serves_each_attested_form(served):
    _, client = served
    body = client.get(api.record_url(client, 1402289), accept="application/json").body.decode()
    record = json.loads(body)
    assert [s["datum"] for s in record["procedureverloop"]] == ["2020-01-23T00:00:00+0100", "2020-02-21T00:00:00+0100"]
    assert record["tijdig"] == "J" and "  -  " in record["titel"] and "  -  " in record["onderwerp"]
    assert "themadatum" not in record and "statusdatumSchvBeantwoord" not in record
    assert list(record) == sorted(record) and record["vraagsteller"]["id"] and record["minister"]["id"]
    late = json.loads(client.get(api.record_url(client, 1402388), accept="application/json").body)
    assert late["tijdig"] == "N"
    summer = client.get(api.record_url(client, 1402430), accept="application/json").body  # answered after 29 March
    assert [s["datum"] for s in json.loads(summer)["procedureverloop"]] == ["2020-03-02T00:00:00+0100",
                                                                            "2020-04-06T00:00:00+0200"]
    assert api.parse_record(summer, 1402430).date_answered == date(2020, 4, 6)
    xml = client.get(api.record_url(client, 1402289)).body
    assert b"<datum>2020-01-23T00:00:00+0100</datum>" in xml and b"<tijdig>J</tijdig>" in xml
    hits = list(api.search(client, api.Query(session_year="2019-2020")))
    assert {h.form for h in hits} == {"question", "document", "journal"}
    assert [h.other_kind() for h in hits if h.other_kind()] == ["Vraag om uitleg"]
    bare = next(h for h in hits if h.id == 1402289 and h.form == "question")
    assert "document" not in bare.metatags and bare.document_id is None
    assert (bare.metatags["themadatum"], bare.metatags["statusdatumSchvBeantwoord"]) == ("2020-01-23", "2020-02-21")
    assert "  -  " in bare.title


def test_the_attested_forms_are_read(served):
    _, client = served
    for accept in ("application/json", None):
        r = api.parse_record(client.get(api.record_url(client, 1402289), accept=accept).body, 1402289)
        assert (r.date_asked, r.date_answered, r.status, r.timely) == (date(2020, 1, 23), date(2020, 2, 21),
                                                                      "Tijdig beantwoord", True)
        assert r.display_title == "Programma ‘Het internet. Ook uw zaak’ - Organisatie infosessies"


@pytest.mark.parametrize("required", [BY_INITIATIVE, BY_AGGREGATE_TYPE], ids=["initiatief", "aggregaattype"])
def test_both_filters_find_the_written_questions(served, required):
    _, client = served
    hits = list(api.search(client, api.Query(session_year="2019-2020"), required=required))
    assert len({h.id for h in hits if not h.other_kind()}) == 15


def test_a_filter_for_another_kind_finds_no_written_question(served):
    _, client = served
    hits = list(api.search(client, api.Query(session_year="2019-2020"),
                           required="requiredfields=aggregaattype:Actuele%20vraag"))
    assert hits == []


def test_the_default_filter_is_the_one_the_counts_were_read_with():
    assert Settings().search_filter == BY_INITIATIVE and "initiatief:Schriftelijke%20vraag" in BY_INITIATIVE


# -- a whole run, attested and legacy forms, through `vpetl demo` ---------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """`vpetl demo` and `vpetl demo --legacy-forms`, each into a store of its own: the command as a
    user runs it, with the core in place of the Prefect flow (no temporary server to start on a
    loaded machine). Gives, by legacy or not, the run's summary, its store and the demo's output."""
    from vpetl import cli
    from vpetl.flows import ingest as flows

    out = {}
    with pytest.MonkeyPatch.context() as patch:
        summaries: list[pipeline.RunSummary] = []

        def execute(query, settings):
            summaries.append(pipeline.execute(query, settings))
            return summaries[-1]

        patch.setattr(cli, "_prepare_flows", lambda settings: None)
        patch.setattr(flows, "for_settings", lambda flow, settings: execute)
        for legacy in (False, True):
            tmp = tmp_path_factory.mktemp("legacy" if legacy else "attested")
            db = f"sqlite:///{tmp / 's.sqlite'}"
            shown = CliRunner().invoke(app, ["demo", "--db", db, "--data-dir", str(tmp / "d"),
                                             *(["--legacy-forms"] if legacy else [])], env={"COLUMNS": "200"})
            assert shown.exit_code == 0, shown.output
            out[legacy] = (summaries[-1], db, shown.output)
    return out


def test_the_demo_reads_both_forms_with_the_same_counts(runs):
    attested, legacy = runs[False][2], runs[True][2]
    for output in (attested, legacy):
        assert "vpetl: 15 questions loaded, 0 unchanged, 0 failed, of 15 found" in output
    assert "(legacy forms)" in legacy and "(legacy forms)" not in attested
    counts = [[line for line in output.splitlines() if "│" in line] for output in (attested, legacy)]
    assert counts[0] == counts[1] and any("questions" in line and "15" in line for line in counts[0])
    assert "dropped: 1 Vraag om uitleg (search hits of another kind than a written question)" in attested
    assert "dropped:" not in legacy  # the first mirror served no stray hit


def test_a_run_drops_hits_of_another_kind_and_counts_them(runs):
    attested, _, _ = runs[False]
    assert (attested.discovered, attested.loaded, attested.failed) == (15, 15, 0)
    assert attested.dropped == {"Vraag om uitleg": 1}
    assert runs[True][0].dropped == {}
    shown = CliRunner().invoke(app, ["status", "--db", runs[False][1]], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "dropped: 1 Vraag om uitleg (search hits of another kind)" in shown.output


def test_dates_and_status_come_from_the_hits_with_their_source(runs):
    with open_store(runs[False][1])() as s:
        q = s.get(m.Question, 1402289)
        assert (q.date_asked, q.date_answered, q.status) == (date(2020, 1, 23), date(2020, 2, 21), "Tijdig beantwoord")
        assert q.sources == ATTESTED_SOURCES
        assert q.search_metatags["nummer"] == "289" and q.search_metatags["aggregaattype"] == "Schriftelijke vraag"
        assert q.search_metatags["mimetypes"]["1402290"] == "application/pdf"
        assert q.title == "Programma ‘Het internet. Ook uw zaak’ - Organisatie infosessies"
        assert q.title_raw == "Programma ‘Het internet. Ook uw zaak’  -  Organisatie infosessies"
        unnumbered = s.get(m.Question, 1402312)
        assert unnumbered.number == 312 and unnumbered.sources["number"] == "search metatag nummer"
        unanswered = s.get(m.Question, 1402388)
        assert unanswered.date_answered is None and unanswered.status == "Vraag gesteld aan de minister"


ATTESTED_SOURCES = {"date_asked": "search metatag themadatum",
                    "date_answered": "search metatag statusdatumSchvBeantwoord",
                    "status": "record procedureverloop 'Tijdig beantwoord'",
                    "number": "record vraagnummer", "title": "record titel",
                    "session_year": "record zittingsjaar", "asker": "record vraagsteller",
                    "minister": "record minister", "themes": "record thema",
                    "asker_id": "record vraagsteller.id", "minister_id": "record minister.id",
                    "asker_party": "member record https://ws.vlpar.be/e/opendata/vv/4101?lang=nl "
                                   "lidmaatschap 2019-06-18T00:00:00+0200 to 2024-06-08T23:59:59+0200: "
                                   "member on 2020-01-23"}
BEYOND = ("title_raw", "sources", "search_metatags")  # the question's fields added after the contract's


def test_the_legacy_forms_load_the_same_questions(runs):
    """The regression test of the old forms: the same questions, tables and beneficiaries; only
    the raw title, where the metatags came from and what they said differ."""
    legacy, attested = runs[True][0], runs[False][0]
    assert legacy.store == attested.store and (legacy.loaded, legacy.failed) == (attested.loaded, attested.failed)
    exported = []
    for url in (runs[True][1], runs[False][1]):
        with open_store(url)() as s:
            exported.append({q["id"]: q for q in questions(s)})
    assert [{k: v for k, v in q.items() if k not in ("provenance", *BEYOND)} for q in exported[0].values()] == [
        {k: v for k, v in q.items() if k not in ("provenance", *BEYOND)} for q in exported[1].values()]
    old, new = exported[0][1402289], exported[1][1402289]
    assert "  -  " not in old["title_raw"] and "  -  " in new["title_raw"] and old["title"] == new["title"]
    assert old["sources"]["date_asked"] == new["sources"]["date_asked"] == "search metatag themadatum"


def test_the_export_says_where_each_value_came_from(runs, tmp_path):
    """Through `vpetl export`: the raw title, each value's source and the hits' metatags, in JSONL
    exactly and in CSV as JSON text after the contract's columns (which keep their places)."""
    db = runs[False][1]
    for fmt in ("jsonl", "csv"):
        done = CliRunner().invoke(app, ["export", "--format", fmt, "--out", str(tmp_path / fmt), "--db", db])
        assert done.exit_code == 0, done.output
    rows = [json.loads(line) for line in (tmp_path / "jsonl" / "questions.jsonl").read_text().splitlines()]
    q = next(r for r in rows if r["id"] == 1402289)
    assert q["sources"] == ATTESTED_SOURCES and q["search_metatags"]["themadatum"] == "2020-01-23"
    assert q["title_raw"] == "Programma ‘Het internet. Ook uw zaak’  -  Organisatie infosessies"
    assert q["title"] == "Programma ‘Het internet. Ook uw zaak’ - Organisatie infosessies"
    assert all(set(r["sources"]) >= {"date_asked", "number", "title", "session_year"} for r in rows)
    with (tmp_path / "csv" / "questions.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames[:3] == ["id", "session_year", "number"] and tuple(reader.fieldnames[-3:]) == BEYOND
        assert reader.fieldnames.index("provenance") == len(reader.fieldnames) - 4
        row = next(r for r in reader if r["id"] == "1402289")
    assert json.loads(row["sources"]) == ATTESTED_SOURCES and json.loads(row["search_metatags"])["nummer"] == "289"
    assert row["title_raw"] == q["title_raw"]


def test_without_metatags_the_record_gives_each_value_and_says_so():
    from vpetl.pipeline.question import Found, from_hits

    record = api.parse_record({"id": 5, "zittingsjaar": "2019-2020", "procedureverloop": [
        {"datum": "2020-02-21T00:00:00+0100", "status": "Tijdig beantwoord"},
        {"datum": "2020-01-23T00:00:00+0100", "status": "Vraag gesteld aan de minister"}]})
    facts = from_hits(record, Found(5, number=None, metatags={"nummer": "12", "titel": "Uit  -  de hits"}))
    assert (facts["date_asked"], facts["date_answered"], facts["number"], facts["title"]) == (
        date(2020, 1, 23), date(2020, 2, 21), 12, "Uit  -  de hits")
    assert facts["sources"]["date_asked"] == "record procedureverloop 'Vraag gesteld aan de minister'"
    assert facts["sources"]["number"] == "search metatag nummer" and facts["sources"]["title"] == "search metatag titel"
    hits_first = from_hits(record, Found(5, metatags={"themadatum": "2020-01-22", "statusdatumSchvBeantwoord": "x"}))
    assert hits_first["date_asked"] == date(2020, 1, 22) and hits_first["date_answered"] == date(2020, 2, 21)
    assert hits_first["sources"]["date_answered"] == "record procedureverloop 'Tijdig beantwoord'"


# -- search pages from a hostile imitation of the service: through the command line ----------------

INCONSISTENT = {"count-never-ends", "new-hit-each-page"}  # the service contradicts itself


@pytest.mark.parametrize("case", SEARCH_CASES)
def test_each_malformed_search_page_is_a_search_error_of_its_kind(case):
    """What `test_hostile` runs through the CLI, read by the search itself: never an empty result,
    and InconsistentSearch exactly where the service contradicts itself."""
    page, reason = SEARCH_CASES[case]
    site = hostile.HostileSite(search=page)
    site.replies["/pagina/onderhoud"] = hostile.Reply(body=MARKUP, headers={"Content-Type": "text/html"})
    try:
        client = Client(Settings(api_base=site.base, rate=0, retries=1, timeout=5))
        with pytest.raises(api.SearchError, match=re.escape(reason)) as err:
            list(api.search(client, api.Query(session_year=hostile.SESSION)))
    finally:
        site.close()
    assert isinstance(err.value, api.InconsistentSearch) == (case in INCONSISTENT)


def _cli_run(site: hostile.HostileSite, tmp_path, monkeypatch, *command: str):
    """A vpetl command against the hostile site, the core in place of the Prefect flow."""
    from vpetl import cli
    from vpetl.flows import ingest as flows

    monkeypatch.setattr(cli, "_prepare_flows", lambda settings: None)
    monkeypatch.setattr(flows, "for_settings", lambda flow, settings: pipeline.execute)
    return CliRunner().invoke(app, [*command, "--db", f"sqlite:///{tmp_path / 's.sqlite'}"], env={
        "VPETL_RETRIES": "1", "COLUMNS": "200", "VPETL_DATA_DIR": str(tmp_path / "d"), "VPETL_RATE": "0"})


def test_a_count_that_never_ends_is_refused_after_three_requests(tmp_path, monkeypatch):
    """`count` always 20,000: the whole, then its two halves by date, which count as much as the
    whole; the split would never end, so the run ends there, in one line."""
    page, _ = SEARCH_CASES["count-never-ends"]
    site = hostile.HostileSite(search=page)
    try:
        result = _cli_run(site, tmp_path, monkeypatch, "ingest", "--session", hostile.SESSION, "--api-base", site.base)
    finally:
        site.close()
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert "a search of 20000 hits split in two by date gives 20000 and 20000" in result.output
    assert len(site.requests) == 3 and all(r.startswith("/api/search/query/") for r in site.requests)
    assert "daterange" not in site.requests[0] and all("daterange" in r for r in site.requests[1:])


def test_hits_of_other_kinds_are_dropped_and_counted_through_the_cli(tmp_path, monkeypatch):
    """Two written questions, each in all three hit forms, among hits of other kinds (by
    `aggregaattype`, by `soort`, by the entity their `opendata` names): the questions load, the
    others are counted by kind in the run's output and in `vpetl status`, and never requested."""
    site = hostile.HostileSite()
    ids = [site.question(hostile.as_json(hostile.record(hostile.FIRST_ID + i, files=[]))) for i in range(2)]

    def tagged(id_: str, **tags: str) -> dict:
        return {"id": id_, "metatags": {"metatag": [{"name": "zittingsjaar", "value": hostile.SESSION},
                                                    *({"name": k, "value": v} for k, v in tags.items())]}}
    strays = [tagged("http://be.vlp.feed/7", aggregaattype="Actuele vraag"),
              tagged("http://be.vlp.feed/8", aggregaattype="Actuele vraag"),
              tagged("http://be.vlp.feed/9", soort="VI"),
              tagged("https://www.vlaamsparlement.be/x/10", opendata="https://ws.vlpar.be/e/opendata/vi/10")]
    hits = [tagged(f"http://be.vlp.feed/{i}{tail}", aggregaattype="Schriftelijke vraag", soort="SCHV")
            for i in ids for tail in ("", f"/pfls/{i}", "/jnl/1")]
    site.searches = lambda page: hostile.as_json({"count": str(len(hits) + len(strays)),
                                                  "result": [*hits[:3], *strays, *hits[3:]]})
    try:
        ran = _cli_run(site, tmp_path, monkeypatch, "ingest", "--session", hostile.SESSION, "--api-base", site.base)
        shown = _cli_run(site, tmp_path, monkeypatch, "status")
    finally:
        site.close()
    assert ran.exit_code == 0, ran.output
    assert "2 questions loaded, 0 unchanged, 0 failed, of 2 found" in ran.output
    kinds = "2 Actuele vraag, 1 opendata vi, 1 soort VI"
    assert f"dropped: {kinds} (search hits of another kind than a written question)" in ran.output
    assert shown.exit_code == 0 and f"run 1 dropped: {kinds} (search hits of another kind)" in shown.output
    assert not [r for r in site.requests if re.search(r"/schv/(7|8|9|10)$", r)]
