"""Plan URLs, gathered from the view modules that own them."""

from .views import classes, editor, settings, versions

app_name = "plans"

urlpatterns = [
    *versions.urlpatterns,
    *editor.urlpatterns,
    *classes.urlpatterns,
    *settings.urlpatterns,
]
