from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "ratings_site.datasets"
    label = "datasets"
    verbose_name = "Datasets and images"
