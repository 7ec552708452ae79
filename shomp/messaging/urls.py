from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    # Under /stores/, which the stores app serves too (its list is "stores/" exactly).
    path("stores/<slug:store_slug>/contact/", views.contact, name="contact"),
    path("orders/<uuid:order_uuid>/request-cancellation/", views.request_cancellation, name="request_cancellation"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/badge/", views.badge, name="badge"),
    path("messages/<uuid:conversation_uuid>/", views.thread, name="thread"),
    path("messages/<uuid:conversation_uuid>/earlier/", views.earlier, name="earlier"),
    path("messages/<uuid:conversation_uuid>/send/", views.send, name="send"),
    path("messages/<uuid:conversation_uuid>/read/", views.read, name="read"),
    path("messages/<uuid:conversation_uuid>/status/", views.change_status, name="status"),
    path("messages/<uuid:conversation_uuid>/assign/", views.assign, name="assign"),
    path("messages/<uuid:conversation_uuid>/offers/", views.offer_create, name="offer_create"),
    path("messages/<uuid:conversation_uuid>/offers/<int:offer_id>/accept/", views.offer_accept, name="offer_accept"),
    path(
        "messages/<uuid:conversation_uuid>/offers/<int:offer_id>/withdraw/",
        views.offer_withdraw,
        name="offer_withdraw",
    ),
    path("messages/<uuid:conversation_uuid>/block/", views.block, name="block"),
    path("messages/<uuid:conversation_uuid>/report/", views.report, name="report"),
    path("messages/<uuid:conversation_uuid>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path(
        "messages/<uuid:conversation_uuid>/messages/<int:message_id>/files/",
        views.message_files,
        name="message_files",
    ),
    path(
        "messages/<uuid:conversation_uuid>/files/<int:attachment_id>/thumbnail/",
        views.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
    path("dashboard/messages/", views.dashboard_inbox, name="dashboard_inbox"),
    path("dashboard/messages/settings/", views.dashboard_settings, name="dashboard_settings"),
    path(
        "dashboard/messages/replies/<int:reply_id>/delete/", views.dashboard_reply_delete, name="dashboard_reply_delete"
    ),
    path("dashboard/messages/blocked/<int:block_id>/unblock/", views.dashboard_unblock, name="dashboard_unblock"),
]
