"""A page that reads and writes the database, and an upload stored in MEDIA_ROOT."""
import os

from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Note

VERSION = "1"


@csrf_exempt
def notes(request):
    if request.method == "POST":
        Note.objects.create(text=request.POST["text"])
    return JsonResponse({
        "notes": [n.text for n in Note.objects.order_by("id")],
        "version": VERSION,
        "pid": os.getpid(),
        "host": request.get_host(),
        "url": request.build_absolute_uri(),
    })


@csrf_exempt
def upload(request):
    f = request.FILES["file"]
    name = default_storage.save("uploads/" + f.name, f)
    return JsonResponse({"url": default_storage.url(name), "path": default_storage.path(name)})
