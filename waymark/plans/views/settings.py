"""Plan views: settings (being written)."""

urlpatterns = []
