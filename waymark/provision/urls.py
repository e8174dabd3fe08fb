"""Interventions, groups, session logs, measures, costs and the provision map."""

from django.urls import path  # noqa: F401

from .views import costs, family, groups, impact, interventions, sessions  # noqa: F401

app_name = "provision"
urlpatterns = [
    # --- interventions and groups (interventions.py, groups.py) ---
    # --- today, session logs, delivery (sessions.py) ---
    # --- measures and impact (impact.py) ---
    # --- costs and the provision map (costs.py) ---
    # --- parents: support this term (family.py) ---
]
