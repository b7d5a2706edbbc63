from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "patron.channels"
    label = "channels"

    def ready(self) -> None:
        from patron.cases.observers import observe_replies
        from patron.channels.outbound import queue_reply_email

        observe_replies(queue_reply_email)
