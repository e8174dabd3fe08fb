"""Being written in this change (issue 4)."""

urlpatterns = []
