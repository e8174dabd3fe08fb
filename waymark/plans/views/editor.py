"""Plan views: editor (being written)."""

urlpatterns = []
