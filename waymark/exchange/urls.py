"""Imports, the census check, transfers, chronology, subject access and retention."""

from django.urls import path

from .views import census, chronology, ctf, retention, roster, subject_access, transfers

app_name = "exchange"
urlpatterns = [
    # --- roster import (roster.py) ---
    path("roster/", roster.RosterUploadView.as_view(), name="roster-upload"),
    path("roster/<uuid:public_id>/columns/", roster.RosterMappingView.as_view(), name="roster-mapping"),
    path("roster/<uuid:public_id>/", roster.RosterPreviewView.as_view(), name="roster-preview"),
    path("roster/<uuid:public_id>/import/", roster.roster_commit, name="roster-commit"),
    path("imports/", roster.ImportListView.as_view(), name="import-list"),
    path("imports/<uuid:public_id>/", roster.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<uuid:public_id>/abandon/", roster.import_abandon, name="import-abandon"),
    # --- CTF import (ctf.py) ---
    path("ctf/", ctf.CTFUploadView.as_view(), name="ctf-upload"),
    path("ctf/<uuid:public_id>/", ctf.CTFPreviewView.as_view(), name="ctf-preview"),
    path("ctf/<uuid:public_id>/import/", ctf.ctf_commit, name="ctf-commit"),
    # --- census check (census.py) ---
    path("census/", census.CensusCheckView.as_view(), name="census"),
    path("census/export/", census.census_export_view, name="census-export"),
    # --- transfer packages (transfers.py) ---
    path("pupils/<uuid:public_id>/transfer/", transfers.TransferExportView.as_view(), name="transfer-export"),
    path("transfers/import/", transfers.TransferImportView.as_view(), name="transfer-import"),
    path("transfers/import/<uuid:public_id>/", transfers.TransferPreviewView.as_view(), name="transfer-preview"),
    path("transfers/received/<uuid:public_id>/", transfers.ReceivedDetailView.as_view(), name="received-detail"),
    path("pupils/<uuid:public_id>/received/", transfers.ReceivedListView.as_view(), name="received-list"),
    path("transfers/schema/transfer-package-1.json", transfers.transfer_schema, name="transfer-schema"),
    # --- chronology (chronology.py) ---
    path("pupils/<uuid:public_id>/chronology/", chronology.ChronologyView.as_view(), name="chronology"),
    path("pupils/<uuid:public_id>/chronology/pdf/", chronology.ChronologyPdfView.as_view(), name="chronology-pdf"),
    # --- subject access (subject_access.py) ---
    path("subject-access/", subject_access.SarListView.as_view(), name="sar-list"),
    path("pupils/<uuid:public_id>/subject-access/new/", subject_access.SarCreateView.as_view(), name="sar-create"),
    path("subject-access/<uuid:public_id>/", subject_access.SarDetailView.as_view(), name="sar-detail"),
    path("subject-access/<uuid:public_id>/withhold/", subject_access.SarRedactView.as_view(), name="sar-redact"),
    path("subject-access/<uuid:public_id>/put-back/", subject_access.SarUnredactView.as_view(), name="sar-unredact"),
    path("subject-access/<uuid:public_id>/extend/", subject_access.SarExtendView.as_view(), name="sar-extend"),
    path("subject-access/<uuid:public_id>/close/", subject_access.SarCloseView.as_view(), name="sar-close"),
    path("subject-access/<uuid:public_id>/release/", subject_access.SarReleaseView.as_view(), name="sar-release"),
    path("subject-access/<uuid:public_id>/download/", subject_access.SarDownloadView.as_view(), name="sar-download"),
    # --- archive, legal hold and retention (retention.py) ---
    path("archive/", retention.ArchiveListView.as_view(), name="archive-list"),
    path("pupils/<uuid:public_id>/archive/", retention.PupilArchiveView.as_view(), name="pupil-archive"),
    path("pupils/<uuid:public_id>/restore/", retention.PupilRestoreView.as_view(), name="pupil-restore"),
    path("pupils/<uuid:public_id>/hold/", retention.HoldPlaceView.as_view(), name="hold-place"),
    path("pupils/<uuid:public_id>/hold/lift/", retention.HoldLiftView.as_view(), name="hold-lift"),
    path("retention/", retention.RetentionSettingsView.as_view(), name="retention-settings"),
]
