"""What Datasette needs to make the store pleasant to browse: titles, column descriptions,
facets, the questions people ask as canned queries, and where the facts' pictures are.

`vpetl browse` writes this as Datasette's metadata file; `datasette_plugin.py` reads the
pictures folder from it to link each fact to its picture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PROVENANCE = {
    "fact_id": "The fact's stable id (as the export gives it); links to its picture on the page",
    "question_id": "The written question's id in the parliament's records (empty for a file loaded on its own)",
    "session_year": "The parliamentary session year, e.g. 2019-2020",
    "question_number": "The question's number within its session year",
    "minister": "The minister who answered",
    "annex_label": "Which annex (Bijlage) the fact is from; empty for the answer itself",
    "page": "1-based page of the PDF (empty for Word and spreadsheets)",
    "bbox": "Where on the page, in PDF points: x0, top, x1, bottom",
    "sheet": "The worksheet (spreadsheets)",
    "cell_ref": "The cell, A1 style (spreadsheets)",
    "source_url": "The URL the document was asked for (a short link stays as it was listed)",
    "final_url": "The URL the bytes came from, after redirects",
    "document_sha256": "The sha256 of the stored bytes: the document's identity",
    "fetched_at": "When the bytes were fetched (UTC)",
    "run_id": "The extraction run that wrote the fact",
    "extractor_version": "The extractor's version that run",
}

CELLS = {
    "row": "0-based row in the table", "col": "0-based column in the table",
    "raw_text": "The cell as printed", "row_label": "The row's label (its first column)",
    "column_label": "The column's header", "value": "The exact decimal the cell states (Belgian format read)",
    "unit": "EUR, %, or the unit its header names", "table_method": "How the table was found: ruled, open, "
    "unruled, ocr, word, sheet",
}

BENEFICIARIES = {
    "call_year": "The year of the call or grant", "name": "The beneficiary as printed",
    "municipality": "The municipality as printed", "nis_code": "Its NIS code today (after the 2019 and 2025 "
    "mergers)", "nis_code_at_time": "Its NIS code in the year of the grant", "amount_eur": "Exact amount in euro",
    "amount_cents": "The same amount in cents (integer, for sums)",
}

QUERIES = {
    "municipality_by_year": {
        "title": "What did a municipality receive, by year, in which answers?",
        "description": "Give a municipality's name (% as a wildcard) or its NIS code.",
        "sql": "SELECT year, municipality, nis_code, beneficiaries, total_eur, question_ids\n"
               "  FROM v_municipality_totals\n"
               " WHERE municipality LIKE :municipality OR nis_code = :municipality\n"
               " ORDER BY year",
    },
    "municipality_beneficiaries": {
        "title": "Every grant to a municipality, with its question and page",
        "description": "Give a municipality's name (% as a wildcard) or its NIS code.",
        "sql": "SELECT b.call_year, b.name, b.amount_eur, b.municipality, b.nis_code, b.question_id,\n"
               "       q.title, b.minister, b.page, b.fact_id, b.run_id, b.source_url\n"
               "  FROM v_beneficiaries b LEFT JOIN questions q ON q.id = b.question_id\n"
               " WHERE b.municipality LIKE :municipality OR b.nis_code = :municipality\n"
               " ORDER BY b.call_year, b.amount_cents DESC",
    },
    "failed_checks": {
        "title": "Checks that did not pass",
        "description": "An answer's table compared with its annex, or a list with its printed total.",
        "sql": "SELECT question_id, session_year, question_number, minister, \"check\", status, subject,\n"
               "       expected, actual, rule, detail\n"
               "  FROM v_checks WHERE status <> 'pass' ORDER BY checked_at DESC",
    },
    "questions_and_grants_by_party": {
        "title": "Questions and grants by party and session year",
        "description": "The asker's party on the day each question was asked (from their member record); the "
                       "grants its annexes list, each counted once. A party renamed under the same id is one "
                       "party: names_then says what it was called then.",
        "sql": "SELECT session_year, party_name, names_then, party_id, questions, askers, grants, total_eur\n"
               "  FROM v_party_session_years ORDER BY session_year, questions DESC",
    },
    "facts_under_review": {
        "title": "Facts under review: disputed or corrected by a person",
        "sql": "SELECT r.fact_id, f.run_id, r.action, f.value AS extracted, r.value AS reviewed, r.reviewer,\n"
               "       r.reason, r.reviewed_at, f.question_id\n"
               "  FROM reviews r LEFT JOIN (\n"
               "       SELECT fact_id, run_id, value, question_id FROM v_table_cells\n"
               "       UNION SELECT fact_id, run_id, amount_eur, question_id FROM v_beneficiaries) f\n"
               "    ON f.fact_id = r.fact_id\n"
               " WHERE r.action IN ('dispute', 'correct') ORDER BY r.reviewed_at DESC",
    },
}


def metadata(database: str, pictures: Path | None) -> dict[str, Any]:
    """Datasette's metadata for the store named `database` (its file name without .sqlite)."""
    tables = {
        "v_table_cells": {
            "title": "Table cells: every number of every answer and annex table",
            "description": "One row a cell of the current extraction, with its question and provenance.",
            "columns": {**PROVENANCE, **CELLS}, "facets": ["session_year", "minister", "unit", "table_method"],
        },
        "v_beneficiaries": {
            "title": "Beneficiaries: who received what, from the annexes",
            "columns": {**PROVENANCE, **BENEFICIARIES},
            "facets": ["session_year", "minister", "call_year", "municipality"],
        },
        "v_municipality_totals": {
            "title": "Totals per municipality and year, across all answers",
            "description": "Each beneficiary counted once, however many questions list its annex; sums are exact.",
            "columns": {"nis_code": BENEFICIARIES["nis_code"], "year": BENEFICIARIES["call_year"],
                        "beneficiaries": "How many grants", "total_cents": "The sum in cents",
                        "total_eur": "The sum in euro, exact", "question_ids": "The questions they come from"},
            "facets": ["year"], "sort_desc": "total_cents",
        },
        "v_questions": {
            "title": "Questions, with who asked and their party on the day asked",
            "description": "The asker's party comes from their member record's periods; a day no period covers, "
                           "or a day they changed party, gives no party (asker_party_status says which).",
            "columns": {"asker_id": "The asker's id in the parliament's records (its member record: "
                                    "/e/opendata/vv/ID)", "asker_party_name": "The asker's party on the day asked, "
                        "under the name it had then", "asker_party_id": "That party's id (a renamed party keeps it)",
                        "asker_party_status": "member; no membership that day; changed party that day; "
                        "member record not read", "party_name_now": "The party's newest name",
                        "minister_id": "The minister's id in the parliament's records"},
            "facets": ["asker_party_name", "session_year", "minister", "asker_party_status"],
        },
        "v_party_session_years": {
            "title": "Questions and grants per party and session year",
            "facets": ["session_year"], "sort_desc": "questions",
        },
        "v_checks": {
            "title": "Checks: answers against their annexes, lists against their totals",
            "facets": ["status", "check", "minister"],
        },
        "alembic_version": {"hidden": True},
    }
    meta: dict[str, Any] = {
        "title": "vpetl: the Flemish Parliament's written questions as data",
        "description": "Facts from answers and annexes, each traceable to its page or cell.",
        "databases": {database: {"tables": tables, "queries": QUERIES}},
    }
    if pictures is not None:
        meta["plugins"] = {"vpetl": {"pictures": str(pictures.resolve()), "mount": PICTURES_MOUNT}}
    return meta


PICTURES_MOUNT = "pictures"  # served by Datasette's --static at /pictures/
