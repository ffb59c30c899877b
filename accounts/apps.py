from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    default = True


class ChirpAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Chirp's site: closed to suspended staff, login throttled."""

    default = False
    default_site = "accounts.admin_site.ChirpAdminSite"
