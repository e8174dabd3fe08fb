from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "waymark.evidence"
    label = "evidence"
