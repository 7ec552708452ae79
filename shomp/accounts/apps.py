from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shomp.accounts"
    label = "accounts"
