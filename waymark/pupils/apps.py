from django.apps import AppConfig


class PupilsConfig(AppConfig):
    name = "waymark.pupils"
    label = "pupils"
