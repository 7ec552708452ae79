from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shomp.accounts"
    verbose_name = "Users and sign-in"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_delete, pre_save

        from . import access

        user_logged_out.connect(access.on_logged_out, dispatch_uid="accounts.realtime.logged_out")
        user = self.get_model("User")
        pre_save.connect(access.on_user_saved, sender=user, dispatch_uid="accounts.realtime.saved")
        post_delete.connect(access.on_user_deleted, sender=user, dispatch_uid="accounts.realtime.deleted")

        from . import pagecache

        pagecache.register(user)  # a renamed user's reviews show the new name
