"""The plan editor: starting a draft, writing it on one page, items, the bank, sharing and publishing.

Only those who edit plans (SENCO, deputy SENCO) reach these pages; everyone else gets a
404. Each text section is its own form: with htmx it saves in place and only that section
comes back (a named partial of the editor page); without JavaScript the same form posts,
saves and redirects back to the section. A stale save keeps what the person typed.
"""

from django.urls import path

from .bank import BankInsertView
from .items import ItemAddView, ItemDeleteView, ItemEditView
from .lifecycle import VersionCloseView, VersionPublishView, VersionShareView
from .page import SectionSaveView, VersionEditView, VersionStartView

urlpatterns = [
    path("pupil/<uuid:public_id>/start/", VersionStartView.as_view(), name="version-start"),
    path("versions/<uuid:public_id>/edit/", VersionEditView.as_view(), name="version-edit"),
    path("versions/<uuid:public_id>/sections/<slug:key>/", SectionSaveView.as_view(), name="section-save"),
    path("versions/<uuid:public_id>/bank/", BankInsertView.as_view(), name="bank-insert"),
    path("versions/<uuid:public_id>/share/", VersionShareView.as_view(), name="version-share"),
    path("versions/<uuid:public_id>/publish/", VersionPublishView.as_view(), name="version-publish"),
    path("versions/<uuid:public_id>/close/", VersionCloseView.as_view(), name="version-close"),
    path("versions/<uuid:public_id>/<slug:section>/add/", ItemAddView.as_view(), name="item-add"),
    path("items/<slug:section>/<uuid:public_id>/edit/", ItemEditView.as_view(), name="item-edit"),
    path("items/<slug:section>/<uuid:public_id>/delete/", ItemDeleteView.as_view(), name="item-delete"),
]
