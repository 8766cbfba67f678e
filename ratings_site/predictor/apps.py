from django.apps import AppConfig


class PredictorConfig(AppConfig):
    name = "ratings_site.predictor"
    label = "predictor"
    verbose_name = "Aesthetic predictor"
