"""Files uploaded through the web: the size cap of every file field, and not keeping what is over.

Each file field a user can fill carries a :class:`FileSizeValidator` naming the setting that
holds its cap (``FRICTION_IMPORT_MAX_BYTES``, ``FRICTION_MAPPING_MAX_BYTES``,
``FRICTION_INVITEE_MAX_BYTES``), so the cap and the message people read are decided here
once, by the form. A view reading such a form is wrapped in :func:`uploads_capped`: its
upload handler passes a file on to Django's own handlers (memory, then a temporary file above
``FILE_UPLOAD_MAX_MEMORY_SIZE``) only up to the field's cap, then counts the rest without
keeping it, and hands the form a stand-in of the real size, which the validator refuses. A
form whose text fields together pass ``DATA_UPLOAD_MAX_MEMORY_SIZE`` gets a page that says so
(413), not Django's bare 400.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect


def upload_cap(setting: str) -> int:
    """The cap in bytes held by ``setting`` (read at each use, so a changed setting holds)."""
    return int(getattr(settings, setting))


def size_text(size: int) -> str:
    """A size in bytes for people: ``1000 bytes``, ``2.0 MB``."""
    return str(filesizeformat(size)).replace("\xa0", " ")


@deconstructible
class FileSizeValidator:
    """Refuse an uploaded file larger than the cap in the setting named ``setting``.

    The message gives the file's size and the cap, then ``advice`` (what to do instead).
    Raises ValidationError with code ``file_too_large``.
    """

    code = "file_too_large"

    def __init__(self, setting: str, advice: str = "") -> None:
        self.setting = setting
        self.advice = advice

    @property
    def cap(self) -> int:
        return upload_cap(self.setting)

    def __call__(self, upload: Any) -> None:
        size = getattr(upload, "size", None)
        if size is not None and size > self.cap:
            message = _("This file is %(size)s; at most %(cap)s can be uploaded here.") % {
                "size": size_text(size),
                "cap": size_text(self.cap),
            }
            raise ValidationError(
                f"{message} {self.advice}".strip(), code=self.code, params={"size": size}
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileSizeValidator) and (self.setting, self.advice) == (
            other.setting,
            other.advice,
        )


def form_upload_caps(form_class: type[forms.BaseForm]) -> dict[str, int]:
    """Field name -> cap in bytes, for each file field of ``form_class`` with a
    :class:`FileSizeValidator`."""
    caps = {}
    for name, field in form_class.base_fields.items():
        for validator in field.validators:
            if isinstance(validator, FileSizeValidator):
                caps[name] = validator.cap
    return caps


class _OverCapFile(UploadedFile):
    """Stands for an uploaded file that was over its cap: its name and real size, no bytes."""

    def __init__(self, name: str, content_type: str, size: int) -> None:
        super().__init__(io.BytesIO(), name, content_type, size)


class CappedUploadHandler(FileUploadHandler):
    """First of the upload handlers: passes each chunk of a capped field's file on to the
    next handler until the file is past its cap, then keeps only the count, and ends with an
    empty stand-in of the real size (which the field's FileSizeValidator refuses)."""

    def __init__(self, request: HttpRequest, caps: dict[str, int]) -> None:
        super().__init__(request)
        self.caps = caps
        self.over = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.over = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        cap = self.caps.get(self.field_name)
        if cap is not None and start + len(raw_data) > cap:
            self.over = True
        return None if self.over else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.over:
            return None  # the next handler has the whole file
        return _OverCapFile(self.file_name, self.content_type, file_size)


def uploads_capped(
    form_class: type[forms.BaseForm],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view that reads ``form_class`` from a POST: the file fields' caps are
    applied while the request is read (by :class:`CappedUploadHandler`), then the CSRF token
    is checked. A request whose text fields pass ``DATA_UPLOAD_MAX_MEMORY_SIZE`` gets the
    413 page saying that nothing was done.

    Upload handlers can be changed only before the request's body is read, and the CSRF check
    reads it, so the view is exempted from the middleware's check and checked here instead,
    as Django's documentation on upload handlers advises.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                caps = form_upload_caps(form_class)
                request.upload_handlers.insert(0, CappedUploadHandler(request, caps))
                try:
                    request.POST  # noqa: B018 - read the body now, with the handlers above
                except RequestDataTooBig:
                    return render(
                        request,
                        "413.html",
                        {"cap": size_text(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
                        status=413,
                    )
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator
