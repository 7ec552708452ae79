from django.conf import settings


def shomp(request):
    return {"SITE_NAME": "Shomp", "DEBUG": settings.DEBUG}
