from django.apps import AppConfig


class ProvisionConfig(AppConfig):
    name = "waymark.provision"
    label = "provision"
    verbose_name = "Provision delivered"
