"""Plan URLs, gathered from the view modules that own them."""

from .views import classes, editor, family, parents, pupil_voice, reviews, settings, versions

app_name = "plans"

urlpatterns = [
    *versions.urlpatterns,
    *editor.urlpatterns,
    *classes.urlpatterns,
    *settings.urlpatterns,
    *reviews.urlpatterns,
    *family.urlpatterns,
    *parents.urlpatterns,
    *pupil_voice.urlpatterns,
]
