from django.apps import AppConfig


class DatasetConfig(AppConfig):
    """Data in bulk: the CSV exchange format, its importer, and a synthetic data generator."""

    name = "dataset"
