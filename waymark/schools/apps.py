from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "waymark.schools"
    label = "schools"
