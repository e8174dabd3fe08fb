"""Reading and checking CTF files: the variations real files have, and every kind of bad file,
each refused with a message that says what is wrong and where, and nothing imported.
"""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.exchange.ctf.commit import CTFNotImported, ctf_import
from waymark.exchange.ctf.dates import DateProblem, parse_date
from waymark.exchange.ctf.parsing import CTFRejected, parse_ctf
from waymark.tests.helpers import fingerprint

from .ctf_helpers import check, ctf_bytes, ctf_document, ctf_pupil, need, sen, system_actor

D = datetime.date


def messages(result):
    return [problem["message"] for problem in result.problems]


def problem_at(result, column):
    return [problem["message"] for problem in result.problems if problem["column"] == column]


# ----- the variations real files have -----


def test_the_dfe_layout_is_read_into_plain_values():
    parsed = parse_ctf(ctf_bytes("dfe_several_pupils.xml"))
    assert parsed.header["version"] == "26.0"
    assert parsed.header["source"] == {
        "lea": "823",
        "estab": "4102",
        "urn": "137421",
        "name": "Hillside Academy",
        "academic_year": "2025/2026",
    }
    assert parsed.header["dest"]["urn"] == "140001"
    assert [pupil["surname"] for pupil in parsed.pupils] == ["Khan", "Brown", "Oduya", "Nowak", "Carter"]
    khan = parsed.pupils[0]
    assert (khan["upn"], khan["forename"], khan["dob"], khan["sex"], khan["year"]) == (
        "C823410213011",
        "Ayesha",
        "2009-02-11",
        "F",
        "12",
    )
    assert [entry["provision"] for entry in khan["sen"]] == ["A", "P", "K", "E"]
    assert [(n["type"], n["rank"], n["start"]) for n in khan["needs"]] == [
        ("SLCN", "1", ""),
        ("ASD", "2", "2019-03-18"),
    ]
    assert parsed.pupils[1]["preferred_forename"] == "Ollie"
    assert parsed.pupils[2]["sen"] == [] and parsed.pupils[2]["needs"] == []  # no SENhistory at all
    # Contacts, school history, languages: not Waymark's business, and no warning for them.
    assert parsed.warnings == []


def test_an_older_file_with_gender_and_needs_inside_the_sen_entry_is_read():
    parsed = parse_ctf(ctf_bytes("ctf16_gender.xml"))
    assert parsed.header["version"] == "16.0" and parsed.header["dest"] is None
    assert [pupil["sex"] for pupil in parsed.pupils] == ["M", "F"]
    assert parsed.pupils[0]["needs"][0]["type"] == "SPLD"
    assert parsed.warnings == []


def test_a_default_namespace_on_the_root_is_ignored_with_a_warning():
    parsed = parse_ctf(ctf_bytes("namespaced.xml"))
    assert parsed.pupils[0]["upn"] == "E936400114019"
    assert "namespace http://www.example.org/ctf/26" in parsed.warnings[0]["message"]


def test_element_names_in_another_letter_case_and_preferred_names_on_the_pupil_are_read():
    data = b"""<?xml version="1.0"?><CTFile><HEADER><CTFVersion>25.0</CTFVersion></HEADER><ctfpupildata>
      <pupil><upn>C823410213011</upn><surname>Khan</surname><forename>Ayesha</forename>
      <PreferredForename>Ash</PreferredForename><dob>2015-03-14</dob><SEX>f</SEX></pupil></ctfpupildata></CTFile>"""
    pupil = parse_ctf(data).pupils[0]
    assert (pupil["surname"], pupil["preferred_forename"], pupil["sex"]) == ("Khan", "Ash", "f")


def test_oddities_are_ignored_with_warnings():
    data = ctf_document(
        ctf_pupil(
            "C823410213011",
            "Khan",
            sex="<Sex>F</Sex><Gender>M</Gender>",
            sen="<SEN><StartDate>2024-09-02</StartDate><SENprovision>K</SENprovision><Colour>blue</Colour></SEN>",
        ),
        version="12.0",
    ).replace(b"</CTFpupilData>", b"<Note>hello</Note></CTFpupilData>")
    warnings = [warning["message"] for warning in parse_ctf(data).warnings]
    assert any("CTF version 12.0 is outside" in message for message in warnings)
    assert any("<Sex> and <Gender>" in message for message in warnings)
    assert any("<Colour> in <SEN>" in message for message in warnings)
    assert any("<Note> among the pupils" in message for message in warnings)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2015-03-14", D(2015, 3, 14)),
        ("2015-03-14T10:30:00", D(2015, 3, 14)),
        ("2015-03-14T10:30:00.123+01:00", D(2015, 3, 14)),
        ("2015-03-14 10:30", D(2015, 3, 14)),
        ("2026-11-02T09:15:00Z", D(2026, 11, 2)),
    ],
)
def test_dates_are_iso_with_or_without_a_time(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("2015-02-30", "is not a real date"),
        ("14/03/2015", "for example 2015-03-14"),
        ("2015-3-14", "for example 2015-03-14"),
        ("yesterday", "for example 2015-03-14"),
    ],
)
def test_other_dates_are_refused_in_plain_english(text, message):
    with pytest.raises(DateProblem, match=message):
        parse_date(text)


# ----- bad files: each refused, clearly, and nothing imported -----

CORPUS = [
    ("bad/not_xml.xml", "This is not a readable XML file"),
    ("bad/truncated.xml", "This is not a readable XML file (no element found at line 26"),
    ("bad/wrong_root.xml", "it starts with <PupilList>, not <CTfile>"),
    ("bad/billion_laughs.xml", "document type declaration"),
    ("bad/external_entity.xml", "document type declaration"),
    ("bad/no_pupils.xml", "The file holds no pupils"),
    ("bad/bad_check_letter.xml", "UPN A823410213011: The check letter does not match the rest of this UPN."),
    ("bad/impossible_date.xml", 'Date of birth: "2015-02-30" is not a real date.'),
    ("bad/duplicate_upns.xml", "UPN C823410213011 appears more than once in the file (pupils 1 and 3)."),
    ("bad/unknown_need.xml", '"XYZ" is not a census need type'),
    ("bad/addressed_elsewhere.xml", "This file was sent to another school (Elsewhere High School"),
]


@pytest.mark.parametrize("name, message", CORPUS)
def test_every_bad_file_is_refused_with_a_clear_message_and_nothing_changes(ctf_school, name, message):
    data = ctf_bytes(name)
    before = fingerprint()
    result = check(ctf_school, data)
    assert not result.ok
    assert any(message in text for text in messages(result)), messages(result)
    with pytest.raises(CTFNotImported):
        from django_scopes import scope

        with scope(school=[ctf_school.pk]):
            ctf_import(actor=system_actor(ctf_school), school=ctf_school, data=data)
    assert fingerprint() == before


def test_problems_name_the_pupil_and_the_element():
    from waymark.exchange.ctf.parsing import pupil_label

    assert pupil_label(3, "A123", "Smith") == "Pupil 3 (UPN A123, Smith)"
    assert pupil_label(4, "", "Jones") == "Pupil 4 (no UPN, Jones)"


def test_the_entities_of_a_bomb_are_never_expanded(ctf_school):
    # Refused at the declaration: the parser never builds the billion "lol"s.
    with pytest.raises(CTFRejected) as refused:
        parse_ctf(ctf_bytes("bad/billion_laughs.xml"))
    assert "lol" not in str(refused.value)


def test_an_external_entity_is_never_read():
    with pytest.raises(CTFRejected) as refused:
        parse_ctf(ctf_bytes("bad/external_entity.xml"))
    assert "root:" not in str(refused.value)


def test_an_undeclared_entity_is_a_parse_error():
    data = ctf_document(ctf_pupil("C823410213011", "&nbsp;Khan"))
    with pytest.raises(CTFRejected, match="undefined entity"):
        parse_ctf(data)


def test_a_file_of_several_megabytes_over_the_limit_is_refused_before_parsing(settings):
    settings.WAYMARK_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    data = ctf_document(*(ctf_pupil("C823410213011", f"Surname{n}") for n in range(12000)))
    assert len(data) > 3 * 1024 * 1024
    with pytest.raises(CTFRejected, match="An import file must be 2 MB or smaller"):
        parse_ctf(data)


def test_a_file_of_several_megabytes_under_the_limit_is_read_whole(ctf_school):
    from waymark.pupils.upn import check_letter

    def upn(serial):
        body = f"8234102{serial:05d}"
        return check_letter(body) + body

    data = ctf_document(*(ctf_pupil(upn(n), f"Surname{n}", sen=sen("2024-09-02", "K")) for n in range(9000)))
    assert len(data) > 3 * 1024 * 1024
    result = check(ctf_school, data)
    assert result.ok and result.counts()["created"] == 9000


def test_an_unknown_character_encoding_is_refused():
    with pytest.raises(CTFRejected, match="character encoding Waymark cannot read"):
        parse_ctf(b'<?xml version="1.0" encoding="x-martian"?><CTfile/>')


def test_utf16_and_windows_1252_files_that_say_so_are_read():
    text = "<CTfile><Header/><CTFpupilData><Pupil><Surname>Müller</Surname></Pupil></CTFpupilData></CTfile>"
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16")
    cp1252 = ('<?xml version="1.0" encoding="windows-1252"?>' + text).encode("cp1252")
    assert parse_ctf(utf16).pupils[0]["surname"] == parse_ctf(cp1252).pupils[0]["surname"] == "Müller"


def test_a_file_with_more_pupils_than_any_school_is_refused(monkeypatch):
    from waymark.exchange.ctf import parsing

    monkeypatch.setattr(parsing, "MAX_PUPILS", 3)
    with pytest.raises(CTFRejected, match=r"holds 4 pupils\. Waymark imports at most 3 at a time"):
        parse_ctf(ctf_document(*(ctf_pupil("C823410213011", f"S{n}") for n in range(4))))


def test_a_file_wrong_throughout_lists_the_first_problems_and_counts_the_rest(ctf_school, monkeypatch):
    from waymark.exchange.ctf import preview

    monkeypatch.setattr(preview, "MAX_LISTED", 5)
    result = check(ctf_school, ctf_document(*(ctf_pupil("", f"S{n}") for n in range(8))))
    assert len(result.problems) == 6
    assert result.problems[-1]["message"] == "And 3 more problems, not listed."


def test_nested_sen_elements_are_not_entries():
    data = ctf_document(ctf_pupil("C823410213011", "K", sen="<SEN><SEN><SEN/></SEN></SEN>"))
    assert len(parse_ctf(data).pupils[0]["sen"]) == 1


def test_an_empty_file_is_refused():
    with pytest.raises(CTFRejected, match="empty"):
        parse_ctf(b"  \n")


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_never_crash(data):
    try:
        parse_ctf(data)
    except CTFRejected as refused:
        assert refused.problems and all(problem["message"] for problem in refused.problems)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<CTfile>",
                "</CTfile>",
                "<Header/>",
                "<CTFpupilData>",
                "</CTFpupilData>",
                "<Pupil>",
                "</Pupil>",
                "<UPN>x</UPN>",
                "&x;",
                "<!DOCTYPE a>",
                '<?xml version="1.0" encoding="nope"?>',
                '<?xml version="1.0" encoding="latin-1"?>',
                "\x00",
            ]
        ),
        max_size=12,
    )
)
def test_any_jumble_of_ctf_parts_is_read_or_refused_never_crash(parts):
    try:
        parse_ctf("".join(parts).encode())
    except CTFRejected as refused:
        assert refused.problems


# ----- checking each pupil -----


def first_problems(school, *pupils, **document):
    return messages(check(school, ctf_document(*pupils, **document)))


def test_a_pupil_needs_a_upn_names_a_date_of_birth_and_a_sex(ctf_school):
    problems = first_problems(
        ctf_school,
        "<Pupil><Surname></Surname><BasicDetails><NCyearActual>6</NCyearActual></BasicDetails></Pupil>",
    )
    assert any("has no UPN" in text for text in problems)
    assert "The pupil's last name is missing." in problems and "The pupil's first name is missing." in problems
    assert "The date of birth is missing." in problems
    assert "The pupil's sex (Sex or Gender) is missing." in problems


@pytest.mark.parametrize(
    "dob, message",
    [
        ("1901-01-01", "is not plausible for a pupil"),
        ("2026-08-01", "is not plausible for a pupil"),
        ("2099-01-01", "is in the future"),
    ],
)
def test_an_implausible_date_of_birth_is_a_problem(ctf_school, dob, message):
    problems = first_problems(ctf_school, ctf_pupil("C823410213011", "Khan", dob=dob))
    assert any(message in text for text in problems), problems


@pytest.mark.parametrize("value, ok", [("M", True), ("f", True), ("Female", True), ("U", False), ("9", False)])
def test_sex_is_m_or_f_as_the_census_records_it(ctf_school, value, ok):
    problems = first_problems(ctf_school, ctf_pupil("C823410213011", "Khan", sex=f"<Sex>{value}</Sex>"))
    assert (problems == []) is ok, problems


@pytest.mark.parametrize("year, expected", [("N1", -1), ("N2", -1), ("R", 0), ("1", 1), ("14", 14)])
def test_nc_years_are_read(ctf_school, year, expected):
    result = check(ctf_school, ctf_document(ctf_pupil("C823410213011", "Khan", year=year, dob="2012-03-14")))
    assert result.plans[0].fields["year_group"] == expected


def test_an_nc_year_that_is_not_one_is_a_problem(ctf_school):
    assert problem_at(check(ctf_school, ctf_document(ctf_pupil("C823410213011", "Khan", year="15"))), "NCyearActual")


def test_a_file_from_last_school_year_moves_year_groups_on(ctf_school):
    data = ctf_document(ctf_pupil("C823410213011", "Khan", year="6"), written="2026-07-10", academic_year="2025/2026")
    result = check(ctf_school, data)
    assert result.plans[0].fields["year_group"] == 7
    old = ctf_document(ctf_pupil("C823410213011", "Khan", year="14", dob="2005-01-01"), written="2026-07-10")
    assert any("past Year 14" in text for text in messages(check(ctf_school, old.replace(b"2026/2027", b"2025/2026"))))


# ----- SEN history and needs -----


def history(result):
    plan = result.plans[0]
    return [(p["provision"], p["starts_on"], p["ends_on"]) for p in plan.history], (
        plan.current["provision"],
        plan.current["starts_on"],
    )


def test_unknown_provision_codes_and_missing_dates_are_problems(ctf_school):
    problems = first_problems(
        ctf_school,
        ctf_pupil("C823410213011", "Khan", sen=sen("2020-01-01", "X") + "<SEN><SENprovision>K</SENprovision></SEN>"),
    )
    assert '"X" is not an SEN provision code (N, K, E, or the legacy S, A and P).' in problems
    assert "The start date is missing." in problems


def test_two_entries_on_one_day_or_overlapping_entries_are_problems(ctf_school):
    same_day = first_problems(
        ctf_school, ctf_pupil("C823410213011", "K", sen=sen("2020-01-01", "K") + sen("2020-01-01", "E"))
    )
    assert "Two SEN entries start on 1 January 2020." in same_day
    overlap = first_problems(
        ctf_school, ctf_pupil("C823410213011", "K", sen=sen("2020-01-01", "K", "2021-06-01") + sen("2021-01-01", "E"))
    )
    assert any("The SEN entries overlap" in text for text in overlap)


def test_an_entry_starting_after_the_file_was_written_is_a_problem(ctf_school):
    problems = first_problems(ctf_school, ctf_pupil("C823410213011", "K", sen=sen("2026-10-01", "K")))
    assert "K starts on 1 October 2026, after the file was written." in problems


def test_entries_are_put_in_date_order_and_closed_by_the_next(ctf_school):
    result = check(
        ctf_school, ctf_document(ctf_pupil("C823410213011", "K", sen=sen("2022-01-10", "E") + sen("2019-09-02", "K")))
    )
    assert history(result) == ([("K", D(2019, 9, 2), D(2022, 1, 9))], ("E", D(2022, 1, 10)))


def test_an_end_date_after_the_file_was_written_is_treated_as_open(ctf_school):
    result = check(ctf_school, ctf_document(ctf_pupil("C823410213011", "K", sen=sen("2020-01-01", "K", "2027-07-20"))))
    assert history(result) == ([], ("K", D(2020, 1, 1)))
    assert any("treated as still open" in warning["message"] for warning in result.warnings)


def test_an_open_legacy_entry_is_closed_and_the_pupil_is_n(ctf_school):
    result = check(
        ctf_school, ctf_document(ctf_pupil("C823410213011", "K", sen=sen("2012-01-01", "K") + sen("2013-01-01", "S")))
    )
    # The file was written on 20 September 2026.
    assert history(result) == (
        [("K", D(2012, 1, 1), D(2012, 12, 31)), ("S", D(2013, 1, 1), D(2026, 9, 19))],
        ("N", D(2026, 9, 20)),
    )
    assert any("legacy code S" in warning["message"] for warning in result.warnings)


def test_needs_must_be_census_codes_ranked_one_or_two_once_each(ctf_school):
    problems = first_problems(
        ctf_school,
        ctf_pupil("C823410213011", "A", needs=need("SPLD", 3)),
        ctf_pupil("Q823410215104", "B", needs=need("SPLD", 1) + need("MLD", 1)),
        ctf_pupil("B823410216052", "C", needs=need("SPLD", 1) + need("SPLD", 2)),
        ctf_pupil("D823410214088", "D", needs=need("SPLD", 1, "2020-01-01", "2019-01-01")),
    )
    assert 'The rank of SPLD must be 1 (primary need) or 2 (secondary need), not "3".' in problems
    assert "More than one open need is ranked 1." in problems
    assert "SPLD is given twice as an open need." in problems
    assert "SPLD ends before it starts." in problems


def test_past_needs_may_share_a_rank_with_the_open_one(ctf_school):
    result = check(
        ctf_school,
        ctf_document(
            ctf_pupil("C823410213011", "A", needs=need("SPLD", 1, None, "2020-01-01") + need("MLD", 1)),
        ),
    )
    assert result.ok
    assert [n["code"] for n in result.plans[0].closed_needs] == ["SPLD"]


# ----- the destination school -----


@pytest.mark.parametrize(
    "dest, accepted",
    [
        ("<DestSchool><LEA>936</LEA><Estab>4001</Estab><URN>140001</URN></DestSchool>", True),
        ("<DestSchool><LEA>936</LEA><Estab>4001</Estab></DestSchool>", True),
        ("<DestSchool><URN>140001</URN></DestSchool>", True),
        ("<DestSchool><LEA>XXX</LEA><Estab>XXXX</Estab></DestSchool>", True),
        ("<DestSchool><LEA>MMM</LEA><Estab>MMMM</Estab></DestSchool>", True),
        ("", True),
        ("<DestSchool><LEA>936</LEA><Estab>4002</Estab></DestSchool>", False),
        ("<DestSchool><LEA>936</LEA><Estab>4001</Estab><URN>140002</URN></DestSchool>", False),
    ],
)
def test_a_file_addressed_to_another_school_is_refused(ctf_school, dest, accepted):
    result = check(ctf_school, ctf_document(ctf_pupil("C823410213011", "Khan"), dest=dest))
    assert result.ok is accepted, result.problems
    if not accepted:
        assert result.problems[0]["column"] == "DestSchool"
