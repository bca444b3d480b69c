"""Contact imports: upload, column mapping with preview, progress."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import File
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quartier.accounts.access import verified_supporter_required
from quartier.fieldwork import access, import_files, importing, tasks
from quartier.fieldwork.actions import common as common_actions
from quartier.fieldwork.forms import (
    MappingForm,
    UploadForm,
)
from quartier.fieldwork.models import ImportJob


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    if not access.is_staff(request.user):
        raise Http404
    form = UploadForm()
    too_large = ""
    if request.method == "POST":
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.FIELDWORK_IMPORT_MAX_BYTES + 1_000_000:
            # `uploads.SizeLimitUploadHandler` stopped reading the body: a 2 GB file never reaches the disk.
            too_large = _(
                "This file is too large (%(size)s MB): the limit is %(limit)s MB. Split it and import each part."
            ) % {"size": declared // 1_000_000, "limit": settings.FIELDWORK_IMPORT_MAX_BYTES // 1_000_000}
        else:
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    inspection = importing.inspect_upload(upload)
                except common_actions.FieldworkError as error:
                    form.add_error("file", str(error))
                else:
                    job = ImportJob(
                        original_name=upload.name[:200], encoding=inspection.encoding,
                        delimiter=inspection.delimiter, header=inspection.header,
                        mapping=importing.guess_mapping(inspection.header), country=form.cleaned_data["country"],
                        extra_tags=form.cleaned_data["extra_tags"], total_bytes=upload.size,
                        uploaded_by=request.user, scope_group=form.cleaned_data["scope_group"],
                    )  # fmt: skip
                    job.file.save("contacts.csv", File(upload), save=False)
                    job.save()
                    return redirect("fieldwork:import", job.pk)
    jobs = ImportJob.objects.select_related("scope_group").order_by("-created_at")[:20]
    return render(
        request, "fieldwork/imports.html", {"form": form, "jobs": jobs, "too_large": too_large},
        status=400 if form.errors or too_large else 200,
    )  # fmt: skip


def _preview(job: ImportJob) -> list[list[str]]:
    if not job.file:
        return []
    try:
        with job.file.open("rb") as handle:
            return importing.inspect_upload(handle, size=0).preview
    except (common_actions.FieldworkError, OSError):  # unreadable, or deleted meanwhile
        return []


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The mapping step (with a preview) while the job waits for it; then its progress and problems."""
    job = access.get_import(request.user, job_id)
    if job.status == ImportJob.Status.UPLOADED and len(job.header) > importing.MAX_COLUMNS:
        # Stored before the column cap: the mapping page is never drawn for it.
        import_files.finish(job, ImportJob.Status.FAILED, str(importing.too_many_columns_error()))
        job.refresh_from_db()
    if job.status != ImportJob.Status.UPLOADED:
        context = {"job": job, "problems": job.problems.all()[:200]}
        if request.headers.get("HX-Request"):
            return render(request, "fieldwork/_import_progress.html", context)
        return render(request, "fieldwork/import_progress.html", context)
    form = MappingForm(
        request.POST or None,
        header=job.header,
        initial_mapping=job.mapping,
        initial={"encoding": job.encoding},
    )
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        try:
            importing.check_mapping(mapping)
        except common_actions.FieldworkError as error:
            form.add_error(None, str(error))
        else:
            started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.UPLOADED).update(
                mapping=mapping, encoding=form.cleaned_data["encoding"], status=ImportJob.Status.QUEUED
            )
            if started:
                tasks.start_import(job.pk)
            return redirect("fieldwork:import", job.pk)
    preview = _preview(job)
    return render(
        request, "fieldwork/import_mapping.html",
        {"job": job, "form": form, "preview": preview, "columns": range(len(job.header))},
        status=400 if form.errors else 200,
    )  # fmt: skip
