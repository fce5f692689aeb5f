from django.urls import path

from fuhe.duties import views

app_name = "duties"
urlpatterns = [
    path("duties/", views.index, name="index"),
    path("duties/<int:list_id>/", views.detail, name="detail"),
    path("duties/<int:list_id>/export/", views.export, name="export"),
    path("duties/<int:list_id>/copy/", views.copy, name="copy"),
    path("duties/<int:list_id>/activate/", views.activate, name="activate"),
    path("duties/<int:list_id>/delete/", views.delete, name="delete"),
    path("duties/<int:list_id>/items/new/", views.item_edit, name="item_new"),
    path("duties/<int:list_id>/items/<int:item_id>/", views.item_edit, name="item_edit"),
    path("duties/<int:list_id>/report/", views.report, name="report"),
]
