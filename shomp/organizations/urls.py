from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("dashboard/organization/members/", views.members, name="members"),
    path("dashboard/organization/members/<int:membership_id>/", views.member_edit, name="member_edit"),
    path("dashboard/organization/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("dashboard/organization/leave/", views.leave, name="leave"),
    path(
        "dashboard/organization/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "dashboard/organization/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("dashboard/organization/settings/", views.settings, name="settings"),
    path("dashboard/organization/transfer/", views.transfer, name="transfer"),
    path("dashboard/organization/transfer/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("dashboard/organization/transfer/confirm/", views.transfer_confirm, name="transfer_confirm"),
    path("dashboard/organization/delete/", views.delete, name="delete"),
    # "organizations" is a reserved store address; "invitations" is not (yet), so the link lives here.
    path("organizations/invitations/<str:token>/", views.invitation, name="invitation"),
]
