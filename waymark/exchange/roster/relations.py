"""Planning a roster row's class, class teacher and parents and carers (part of ``validation``'s checker).

Kept apart from the pupil's own details because they reach other records: a class may be
added for the school year, a teacher added to it, and a parent's contact record created or
updated. Matching parents: by email address first, then by full name, among this child's
parents and carers only, so nobody is recorded twice for the same child.
"""

from django.utils.translation import gettext as _


class ClassesAndFamilyMixin:
    """Needs ``self.held`` (``lookups.SchoolHoldings``), ``self.check``, ``self.header_of``, ``self.today``,
    ``self.may_manage_classes``, ``self.teacher_adds`` and ``self._error`` from the checker."""

    def _plan_class(self, plan, pupil, values):
        name = values.get("reg_group")
        teacher = values.get("teacher")
        if teacher and not name:
            self._error(plan.row, "teacher", _("Give the pupil's class too: the teacher is added to that class."))
        if not name:
            return
        year = self.held.year
        if year is None:
            self._error(
                plan.row,
                "reg_group",
                _("No school year is set up for today, so pupils cannot be put in classes. Add the school year first."),
            )
            return
        key = name.strip().lower()
        current = self.held.enrolments.get(pupil["pk"]) if pupil else None
        if not (current and current["name"].strip().lower() == key):
            if key not in self.held.classes and key not in self.check.new_classes:
                if not self.may_manage_classes:
                    self._error(
                        plan.row,
                        "reg_group",
                        _(
                            "There is no class %(name)s this school year, and only the "
                            "SENCO or the head can add one. Add it first, or do not "
                            "import this column."
                        )
                        % {"name": name},
                    )
                    return
                self.check.new_classes[key] = (name.strip(), values.get("year_group"))
            start = max(self.today, year.starts_on)
            if current and current["starts_on"] >= start:
                self._error(
                    plan.row,
                    "reg_group",
                    _("The pupil was already moved to class %(name)s today.") % {"name": current["name"]},
                )
                return
            plan.enrol = key
            plan.changes.append(
                _("Class: %(old)s to %(new)s")
                % {"old": current["name"] if current else _("(none)"), "new": name.strip()}
            )
        if teacher:
            self._plan_teacher(plan, key, teacher)

    def _plan_teacher(self, plan, class_key, teacher):
        held = self.held
        if "@" in teacher:
            person = held.staff_by_email.get(teacher.lower())
            people = [person] if person else []
        else:
            people = held.staff_by_name.get(" ".join(teacher.lower().split()), [])
        if len(people) != 1:
            message = (
                _(
                    "No member of staff at this school is called %(who)s. Use their name or email address as Waymark "
                    "has it."
                )
                if not people
                else _("More than one member of staff is called %(who)s: use their email address.")
            )
            self._error(plan.row, "teacher", message % {"who": teacher})
            return
        person = people[0]
        group = held.classes.get(class_key)
        if (group and (group["pk"], person["pk"]) in held.group_staff) or (
            class_key,
            person["pk"],
        ) in self.teacher_adds:
            return
        if not self.may_manage_classes:
            self._error(
                plan.row,
                "teacher",
                _("Only the SENCO or the head can add a teacher to a class. Ask them, or do not import this column."),
            )
            return
        self.teacher_adds.add((class_key, person["pk"]))
        plan.teacher, plan.teacher_class = person["pk"], class_key
        plan.changes.append(_("Teacher added to the class: %(who)s") % {"who": person["name"]})

    # ----- parents and carers -----

    def _plan_contacts(self, plan, pupil, values):
        links = list(self.held.links.get(pupil["pk"], [])) if pupil else []
        matched = set()
        for n, contact in values.get("contacts", {}).items():
            column = next((f"contact_{n}_{part}" for part in ("name", "forename", "surname", "email")
                           if f"contact_{n}_{part}" in self.header_of), None)  # fmt: skip
            link = None
            if contact["email"]:
                link = next((row for row in links if row["email"].lower() == contact["email"]), None)
            if link is None:
                link = next(
                    (row for row in links
                     if row["full_name"].lower() == contact["full_name"].lower() and row["pk"] not in matched),
                    None,
                )  # fmt: skip
            if link is None:
                fields = {
                    "relationship": "other",
                    "parental_responsibility": True,
                    **contact,
                    "contact_by_email": bool(contact["email"]),
                    "contact_by_phone": bool(contact["phone"]),
                }
                plan.contact_creates.append(fields)
                plan.changes.append(_("Parent or carer added: %(name)s") % {"name": contact["full_name"]})
                continue
            matched.add(link["pk"])
            changed = {key: value for key, value in contact.items() if value not in ("", None) and link[key] != value}
            if "email" in changed and any(
                row["email"].lower() == changed["email"] for row in links if row["pk"] != link["pk"]
            ):
                self._error(
                    plan.row,
                    column,
                    _("Another parent or carer of this child has the email address %(email)s.")
                    % {"email": changed["email"]},
                )
                continue
            if changed:
                plan.contact_updates.append((link["pk"], link["lock_version"], changed))
                plan.changes.append(_("Parent or carer updated: %(name)s") % {"name": link["full_name"]})
