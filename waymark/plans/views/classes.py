"""Plan views: classes (being written)."""

urlpatterns = []
