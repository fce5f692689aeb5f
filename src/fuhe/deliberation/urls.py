from django.urls import path

from fuhe.deliberation import views

app_name = "deliberation"

urlpatterns = [
    path("deliberation/", views.index, name="index"),
    path("deliberation/topics/new/", views.topic_new, name="topic_new"),
    path("deliberation/topics/<int:topic_id>/", views.topic_detail, name="topic"),
    path("deliberation/bodies/new/", views.body_new, name="body_new"),
    path("deliberation/bodies/<int:body_id>/", views.body_detail, name="body"),
    path("deliberation/bodies/<int:body_id>/register/", views.register_import, name="register_import"),
    path("deliberation/bodies/<int:body_id>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("deliberation/bodies/<int:body_id>/proposals/new/", views.proposal_new, name="proposal_new"),
    path("deliberation/meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("deliberation/meetings/<int:meeting_id>/act/", views.meeting_act, name="meeting_act"),
    path("deliberation/resolutions/<int:resolution_id>/", views.resolution_detail, name="resolution"),
    path("deliberation/village/new/", views.village_new, name="village_new"),
    path("deliberation/village/<int:matter_id>/", views.village_detail, name="village"),
    path("deliberation/proposals/<int:proposal_id>/", views.proposal_detail, name="proposal"),
    path("deliberation/inclusion/", views.inclusion, name="inclusion"),
    path("public/deliberation/resolutions/<int:resolution_id>/", views.public_resolution, name="public_resolution"),
    path("public/deliberation/village/<int:matter_id>/<str:publication>/", views.public_village, name="public_village"),
    path("public/deliberation/proposals/<int:proposal_id>/", views.public_proposal, name="public_proposal"),
]
