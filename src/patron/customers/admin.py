from django.contrib import admin

from patron.customers.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "email_domains")
    list_filter = ("kind",)
    search_fields = ("name",)
