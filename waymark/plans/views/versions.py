"""Plan views: versions (being written)."""

urlpatterns = []
