"""Notes, documents and shares with outside specialists."""

from django.urls import path

from .views import documents, notes, shares

app_name = "evidence"
urlpatterns = [
    # --- notes and the timeline (notes.py) ---
    path("pupils/<uuid:public_id>/timeline/", notes.TimelineView.as_view(), name="timeline"),
    path("pupils/<uuid:public_id>/notes/add/", notes.NoteCreateView.as_view(), name="note-create"),
    path("notes/<uuid:public_id>/edit/", notes.NoteEditView.as_view(), name="note-edit"),
    # --- documents (documents.py) ---
    path("pupils/<uuid:public_id>/documents/add/", documents.DocumentUploadView.as_view(), name="document-upload"),
    path("documents/<uuid:public_id>/edit/", documents.DocumentEditView.as_view(), name="document-edit"),
    path("documents/<uuid:public_id>/download/", documents.DocumentDownloadView.as_view(), name="document-download"),
    # --- shares with outside specialists (shares.py) ---
    path("pupils/<uuid:public_id>/shares/", shares.ShareListView.as_view(), name="share-list"),
    path("pupils/<uuid:public_id>/shares/new/", shares.ShareCreateView.as_view(), name="share-create"),
    path("shares/<uuid:public_id>/end/", shares.ShareEndView.as_view(), name="share-end"),
    path("shares/accept/<str:token>/", shares.share_accept, name="share-accept"),
    path("shared/<uuid:public_id>/", shares.SharedDetailView.as_view(), name="shared-detail"),
    path("shared/<uuid:public_id>/report/", shares.SharedReportView.as_view(), name="shared-report"),
]
