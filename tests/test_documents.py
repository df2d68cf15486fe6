"""Real documents, counted once: search hits per document, the answer told apart on evidence,
one annex reached by two routes stored and exported once, the XML form as callers read it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vpetl.pipeline.evidence import Candidate, Evidence, choose_answer, pfile_id
from vpetl.schema.load import DocumentIn
from vpetl.vlpar import api


def doc(sha: str, pdf: bool = True) -> DocumentIn:
    return DocumentIn("u", "u", sha, 1, "application/pdf", pdf, datetime.now(UTC))


def test_a_hit_names_its_question_and_its_document():
    hit = api.parse_hit({"id": "http://be.vlp.feed/900718/pfls/490915", "mimetype": "application/pdf",
                         "metatags": {"metatag": [{"name": "documenttype", "value": "bijlage"},
                                                  {"name": "nummer", "value": "88"}]}})
    assert (hit.id, hit.document_id, hit.documenttype, hit.mimetype, hit.number) == (
        900718, 490915, "bijlage", "application/pdf", 88)
    assert hit.last_modified is None  # often missing: normal


@pytest.mark.parametrize("hits, answer_header, record_types, expected", [
    ({2: "antwoord"}, {}, {}, (2, Evidence.hit)),
    ({2: "vraag en antwoord", 1: "bijlage"}, {1: True}, {}, (2, Evidence.hit)),
    ({}, {2: True}, {}, (2, Evidence.content)),
    ({}, {}, {"u2": "antwoord"}, (2, Evidence.record)),
    ({}, {}, {}, (1, Evidence.position)),
])
def test_the_answer_is_chosen_on_evidence(hits, answer_header, record_types, expected):
    candidates = [Candidate(f"u{i}", doc(f"s{i}"), record_types.get(f"u{i}"), hits.get(i)) for i in (1, 2)]
    chosen, evidence = choose_answer(candidates, lambda d: answer_header.get(int(d.sha256[1:]), False))
    assert (int(chosen.url[1:]), evidence) == expected


def test_pfile_ids():
    assert pfile_id("https://docs.vlaamsparlement.be/files/pfile?id=1402518") == 1402518
    assert pfile_id("http://www.vlaamsparlement.be/link?id=9681") is None


XML = b"""<?xml version="1.0" encoding="UTF-8"?><schv><onderwerp>Fietspaden</onderwerp><titel>Fietspaden</titel>
<vraagsteller><voornaam>A</voornaam><naam>B</naam></vraagsteller><minister><voornaam>C</voornaam><naam>D</naam></minister>
<procedureverloop><status>Vraag gesteld</status><datum>2020-01-23T00:00:00</datum></procedureverloop>
%s<themas><thema>Mobiliteit</thema></themas>
<bestand-ordered><naam>vrg.088.doc en antw.088.docx</naam><URL>https://docs.vlaamsparlement.be/pfile?id=7</URL></bestand-ordered>
%s</schv>"""


@pytest.mark.parametrize("steps, files, status, urls", [
    (b"<procedureverloop><status>Tijdig beantwoord</status><datum>2020-02-21T00:00:00</datum></procedureverloop>",
     b"<bestand-ordered><URL>https://docs.vlaamsparlement.be/pfile?id=8</URL><naam>x.xlsx</naam></bestand-ordered>",
     "Tijdig beantwoord", [7, 8]),
    (b"", b"", "Vraag gesteld", [7]),  # a single step, a single file
])
def test_the_xml_form_as_callers_of_the_live_service_read_it(steps, files, status, urls):
    r = api.parse_record(XML % (steps, files), 5)
    assert (r.id, r.title, r.asker, r.minister, r.themes, r.status) == (5, "Fietspaden", "A B", "C D",
                                                                       ["Mobiliteit"], status)
    assert [pfile_id(u) for u in r.files] == urls
    assert r.date_asked.isoformat() == "2020-01-23"
