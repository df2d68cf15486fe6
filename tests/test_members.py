"""The member record `/e/opendata/vv/{id}`: a person, their party periods, their party on a day."""

from __future__ import annotations

import json
from datetime import date

import pytest

from vpetl.vlpar.members import (
    CHANGED_THAT_DAY,
    MEMBER,
    NO_MEMBERSHIP,
    MemberError,
    Membership,
    Party,
    parse_member,
    party_on,
)

from .conftest import ROOT, SHARED

REAL = SHARED / "real-api" / "opendata_vv_4383_member_record__from_apivlaanderen_csv.json"
MIRRORED = ROOT / "fixtures" / "mirror" / "members" / "4383.json"


@pytest.mark.shared
def test_the_real_member_record_gives_the_party_on_each_day():
    member = parse_member(REAL.read_bytes(), 4383)
    assert (member.id, member.first_name, member.last_name) == (4383, "Hannes", "Anaf")
    for day, party_id, name in ((date(2020, 5, 1), 1279894, "sp·a"), (date(2022, 1, 10), 1279894, "Vooruit"),
                                (date(2025, 1, 10), 1829393, "Vooruit")):
        on = party_on(member.memberships, day)
        assert (on.status, on.party and on.party.id, on.party and on.party.name) == (MEMBER, party_id, name), day


@pytest.mark.shared
def test_the_mirror_serves_the_real_body_itself():
    assert json.loads(MIRRORED.read_bytes()) == json.loads(REAL.read_bytes())


def test_edges_between_terms_and_the_rename_day():
    member = parse_member(MIRRORED.read_bytes(), 4383)
    # the old term's period ends 2024-06-08 23:59:59; the new one begins 2024-07-02: between, none
    assert party_on(member.memberships, date(2024, 6, 8)).party.id == 1279894  # type: ignore[union-attr]
    assert party_on(member.memberships, date(2024, 6, 20)) == party_on(member.memberships, date(2024, 7, 1))
    assert party_on(member.memberships, date(2024, 6, 20)).status == NO_MEMBERSHIP
    assert party_on(member.memberships, date(2024, 7, 2)).party.id == 1829393  # type: ignore[union-attr]
    assert party_on(member.memberships, date(2019, 6, 17)).status == NO_MEMBERSHIP
    # sp·a became Vooruit at noon on 2021-03-21: one party, under the name in force at the day's end
    rename = party_on(member.memberships, date(2021, 3, 21))
    assert (rename.status, rename.party.id, rename.party.name) == (MEMBER, 1279894, "Vooruit")  # type: ignore[union-attr]
    assert party_on(member.memberships, date(2021, 3, 20)).party.name == "sp·a"  # type: ignore[union-attr]


def test_a_switch_between_two_parties_on_one_day_is_not_guessed():
    a, b = Party(1, "A"), Party(2, "B")
    periods = [Membership(a, "2019-06-18T00:00:00+0200", "2020-02-20T15:00:00+0100"),
               Membership(b, "2020-02-20T15:00:00+0100", None)]
    assert party_on(periods, date(2020, 2, 19)).party == a
    assert party_on(periods, date(2020, 2, 20)).status == CHANGED_THAT_DAY
    assert party_on(periods, date(2020, 2, 20)).party is None
    assert party_on(periods, date(2026, 1, 1)).party == b  # an open period lasts


def test_the_brussels_day_decides_an_edge():
    # 23:30 UTC on the 19th is already the 20th in Brussels
    period = Membership(Party(1, "A"), "2020-02-19T23:30:00Z", None)
    assert not period.covers(date(2020, 2, 19)) and period.covers(date(2020, 2, 20))


@pytest.mark.parametrize("body, reason", [
    (b"<!DOCTYPE html><html>Onderhoud</html>", "unreadable member record"),
    (b"[1, 2]", "a JSON list"),
    (b'{"naam": "Anaf"}', "no id"),
    (b'{"id": 4384, "naam": "Anaf"}', "says it is member 4384"),
    (b'{"id": true}', "no id"),
])
def test_what_is_not_a_member_record_is_refused_with_the_reason(body, reason):
    with pytest.raises(MemberError, match=reason):
        parse_member(body, 4383)


def test_tolerant_of_forms_the_service_uses_elsewhere():
    member = parse_member({"id": "4383", "voornaam": "Hannes", "naam": "Anaf",
                           "lidmaatschap": {"datumVan": "2019-06-18T00:00:00+02:00",
                                            "fractie": {"id": "1279894", "naam": "sp·a", "zetel-aantal": "13"}},
                           "huidigefractie": {"naam": "a group without an id"}})
    assert member.id == 4383 and member.current_party is None
    assert member.memberships[0].party == Party(1279894, "sp·a", seats=13)
    assert member.memberships[0].since == date(2019, 6, 18)
