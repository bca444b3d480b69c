from __future__ import annotations

from django.urls import path

from quartier.social import feeds
from quartier.social.views import connections, conversations, feed, moderation, posts

app_name = "social"

urlpatterns = [
    path("feed/", feed.feed, name="feed"),
    path("notifications/", feed.notifications, name="notifications"),
    path("notifications/read/", feed.notifications_read, name="notifications_read"),
    path("notifications/counts/", feed.counts, name="counts"),
    path("settings/social/", feed.settings_view, name="settings"),
    path("connections/", connections.connections, name="connections"),
    path("people/<str:handle>/follow/", connections.follow, name="follow"),
    path("people/<str:handle>/unfollow/", connections.unfollow, name="unfollow"),
    path("people/<str:handle>/block/", connections.block, name="block"),
    path("people/<str:handle>/unblock/", connections.unblock, name="unblock"),
    path("blog/campaign/", posts.campaign_blog, name="campaign_blog"),
    path("blog/campaign/feed.atom", feeds.CampaignBlogFeed(), name="campaign_blog_feed"),
    path("blog/group/<slug:slug>/", posts.group_blog, name="group_blog"),
    path("blog/group/<slug:slug>/feed.atom", feeds.GroupBlogFeed(), name="group_blog_feed"),
    path("blog/<str:handle>/", posts.supporter_blog, name="blog"),
    path("blog/<str:handle>/feed.atom", feeds.SupporterBlogFeed(), name="blog_feed"),
    path("posts/new/", posts.post_create, name="post_create"),
    path("posts/<id:post_id>/", posts.post_detail, name="post"),
    path("posts/<id:post_id>/edit/", posts.post_edit, name="post_edit"),
    path("posts/<id:post_id>/publish/", posts.post_publish, name="post_publish"),
    path("posts/<id:post_id>/unpublish/", posts.post_unpublish, name="post_unpublish"),
    path("posts/<id:post_id>/delete/", posts.post_delete, name="post_delete"),
    path("posts/<id:post_id>/feature/", posts.post_feature, name="post_feature"),
    path("posts/<id:post_id>/comment/", posts.comment_create, name="comment"),
    path("posts/<id:post_id>/react/", posts.react, name="react"),
    path("posts/<id:post_id>/repost/", posts.repost, name="repost"),
    path("comments/<id:comment_id>/delete/", posts.comment_delete, name="comment_delete"),
    path("search/", posts.search, name="search"),
    path("messages/", conversations.inbox, name="inbox"),
    path("messages/new/", conversations.conversation_new, name="conversation_new"),
    path("messages/<id:conversation_id>/", conversations.conversation, name="conversation"),
    path("messages/<id:conversation_id>/leave/", conversations.conversation_leave, name="conversation_leave"),
    path("messages/group/<slug:slug>/", conversations.group_conversation, name="group_conversation"),
    path("messages/event/<id:event_id>/", conversations.event_conversation, name="event_conversation"),
    path("report/<str:kind>/<str:target_id>/", moderation.report, name="report"),
    path("moderation/", moderation.queue, name="moderation"),
    path("moderation/reports/<id:report_id>/", moderation.decide, name="moderation_decide"),
    path("moderation/appeals/<id:appeal_id>/", moderation.appeal_decide, name="appeal_decide"),
    path("moderation/my-decisions/", moderation.my_decisions, name="my_decisions"),
    path("moderation/my-decisions/<id:action_id>/appeal/", moderation.appeal, name="appeal"),
]
