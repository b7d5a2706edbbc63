from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "patron.channels"
    label = "channels"
