from django.urls import path

from fuhe.burden import views

app_name = "burden"
urlpatterns = [
    path("burden/", views.home, name="home"),
    path("burden/tasks/new/", views.task_new, name="task_new"),
    path("burden/tasks/check/", views.task_check, name="task_check"),
    path("burden/tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("burden/tasks/<int:task_id>/decide/", views.task_decide, name="task_decide"),
    path("burden/received/<int:target_id>/", views.target_detail, name="target_detail"),
    path("burden/received/<int:target_id>/effort/", views.target_effort, name="target_effort"),
    path("burden/received/<int:target_id>/bypass/", views.target_bypass, name="target_bypass"),
    path("burden/bypasses/<int:bypass_id>/file/", views.bypass_file, name="bypass_file"),
    path("burden/load/", views.load, name="load"),
    path("burden/admission/", views.admission, name="admission"),
    path("burden/report/", views.report, name="report"),
    path("burden/catalogue/", views.catalogue, name="catalogue"),
]
