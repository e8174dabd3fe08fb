"""Shared by the CTF tests: the sample files, a school they are addressed to, and a fixed day."""

import datetime
from pathlib import Path

from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.exchange.ctf import check_file
from waymark.schools.models import School

FILES = Path(__file__).parent / "files" / "ctf"
# The sample files were written in 2026; checking them "on" a fixed day keeps year groups stable.
TODAY = datetime.date(2026, 11, 29)


def ctf_bytes(name):
    return (FILES / name).read_bytes()


def ctf_pupil(upn, surname, *, dob="2015-03-14", sex="<Sex>F</Sex>", year="6", sen="", needs="", extra=""):
    return f"""
    <Pupil>
      <UPN>{upn}</UPN>
      <Surname>{surname}</Surname>
      <Forename>Sam</Forename>
      <DOB>{dob}</DOB>
      {sex}
      <BasicDetails><NCyearActual>{year}</NCyearActual></BasicDetails>
      {extra}
      <SENhistory>{sen}<SENneeds>{needs}</SENneeds></SENhistory>
    </Pupil>"""


def ctf_document(*pupils, written="2026-09-20T08:00:00", version="26.0", dest="", academic_year="2026/2027"):
    """A small CTF around ``pupils`` (from ``ctf_pupil``), as bytes."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header>
    <DocumentName>Common Transfer File</DocumentName>
    <CTFversion>{version}</CTFversion>
    <DateTime>{written}</DateTime>
    <SourceSchool><LEA>823</LEA><Estab>4102</Estab><URN>137421</URN><SchoolName>Hillside Academy</SchoolName>
      <AcademicYear>{academic_year}</AcademicYear></SourceSchool>
    {dest}
  </Header>
  <CTFpupilData>{"".join(pupils)}</CTFpupilData>
</CTfile>""".encode()


def sen(start, code, end=None):
    return f"<SEN><StartDate>{start}</StartDate><SENprovision>{code}</SENprovision>" + (
        f"<EndDate>{end}</EndDate></SEN>" if end else "</SEN>"
    )


def need(code, rank, start=None, end=None):
    parts = f"<SENtype>{code}</SENtype><SENtypeRank>{rank}</SENtypeRank>"
    if start:
        parts += f"<StartDate>{start}</StartDate>"
    if end:
        parts += f"<EndDate>{end}</EndDate>"
    return f"<SENneed>{parts}</SENneed>"


def numbered_as_in_files(school):
    """``school`` numbered as the sample files address it (LA 936, establishment 4001, URN 140001).

    Each test module makes this its ``ctf_school`` fixture from the cast's School A.
    """
    with scopes_disabled():
        School.objects.filter(pk=school.pk).update(la_number="936", establishment_number="4001", urn="140001")
        school.refresh_from_db()
    return school


def system_actor(school, user=None):
    return Actor.system(school, user=user, today=TODAY)


def check(school, data, today=TODAY):
    with scope(school=[school.pk]):
        return check_file(school=school, data=data, today=today)
