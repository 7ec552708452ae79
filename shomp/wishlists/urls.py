from django.urls import path

from . import views

app_name = "wishlists"

urlpatterns = [
    path("dashboard/wishlists/analytics/", views.dashboard_insights, name="dashboard_insights"),
    path("wishlists/", views.index, name="index"),
    path("wishlists/pending/", views.pending, name="pending"),
    path("wishlists/hearts/", views.hearts_state, name="hearts"),
    path("wishlists/heart/<str:product_id>/", views.heart, name="heart"),
    path("wishlists/heart/<str:product_id>/toggle/", views.heart_toggle, name="toggle"),
    path("wishlists/heart/<str:product_id>/save-to/", views.save_to, name="save_to"),
    path("wishlists/heart/<str:product_id>/picker/", views.picker, name="picker"),
    path("wishlists/cart-items/<str:item_id>/save-for-later/", views.save_for_later, name="save_for_later"),
    path("wishlists/shared/<str:token>/", views.shared, name="shared"),
    path("wishlists/shared/<str:token>/items/<str:item_id>/claim/", views.claim, name="claim"),
    path("wishlists/items/<str:item_id>/update/", views.item_update, name="item_update"),
    path("wishlists/items/<str:item_id>/remove/", views.item_remove, name="item_remove"),
    path("wishlists/items/<str:item_id>/move/", views.item_move, name="item_move"),
    path("wishlists/<str:wishlist_id>/", views.detail, name="detail"),
    path("wishlists/<str:wishlist_id>/rename/", views.rename, name="rename"),
    path("wishlists/<str:wishlist_id>/share/", views.share, name="share"),
    path("wishlists/<str:wishlist_id>/new-link/", views.new_link, name="new_link"),
    path("wishlists/<str:wishlist_id>/delete/", views.delete, name="delete"),
    path("wishlists/<str:wishlist_id>/to-cart/", views.to_cart, name="to_cart"),
]
