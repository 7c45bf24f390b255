from django.contrib import admin

from onewindow.worktime.models import CalendarDay, CalendarYear


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "loaded_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "workday", "name"]
    list_filter = ["workday"]
    date_hierarchy = "date"
    search_fields = ["name"]
