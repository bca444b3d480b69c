"""Staff pages: the people import (upload, mapping with a preview, progress, problem report) and the
exports. Anyone else finds nothing here (404)."""

from __future__ import annotations

import csv

from django.core.files.base import File
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from quartier.accounts.access import require_staff, verified_supporter_required
from quartier.api import tasks
from quartier.api.exchange import exports, import_files
from quartier.api.exchange.access import get_import_for_staff
from quartier.api.exchange.forms import ExportForm, PeopleMappingForm, PeopleUploadForm
from quartier.api.exchange.layouts import LAYOUT_LABELS, guess_mapping
from quartier.api.models import PeopleImport
from quartier.fieldwork.actions.common import FieldworkError
from quartier.fieldwork.importing import inspect_upload
from quartier.lib.contacts import split_tags


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def people_imports(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = PeopleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            inspection = inspect_upload(upload)
        except FieldworkError as error:
            form.add_error("file", str(error))
        else:
            layout, mapping = guess_mapping(inspection.header)
            job = PeopleImport(
                uploaded_by=request.user, original_name=upload.name[:200], encoding=inspection.encoding,
                delimiter=inspection.delimiter, header=inspection.header, layout=layout, mapping=mapping,
                country=form.cleaned_data["country"], total_bytes=upload.size,
                tag_names=[tag.strip()[:100] for tag in split_tags(form.cleaned_data["tags"])],
            )  # fmt: skip
            job.file.save("people.csv", File(upload), save=False)
            job.save()
            return redirect("api:people_import", job.pk)
    jobs = PeopleImport.objects.order_by("-created_at")[:20]
    return render(
        request, "api/people_imports.html", {"form": form, "jobs": jobs}, status=400 if form.errors else 200
    )


def _preview(job: PeopleImport) -> list[list[str]]:
    if not job.file:
        return []
    try:
        with job.file.open("rb") as handle:
            return inspect_upload(handle, size=0).preview
    except (FieldworkError, OSError):
        return []


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest, job_id: int) -> HttpResponse:
    """The mapping (with a preview of the first rows) while the job waits for it; then its progress."""
    job = get_import_for_staff(request.user, job_id)
    if job.status != PeopleImport.Status.UPLOADED:
        context = {"job": job, "problems": job.problems.all()[:50]}
        if request.headers.get("HX-Request"):
            return render(request, "api/_people_import_progress.html", context)
        return render(request, "api/people_import_progress.html", context)
    form = PeopleMappingForm(
        request.POST or None,
        header=job.header,
        initial_mapping=job.mapping,
        initial={"encoding": job.encoding},
    )
    if request.method == "POST" and form.is_valid():
        started = PeopleImport.objects.filter(pk=job.pk, status=PeopleImport.Status.UPLOADED).update(
            mapping=form.mapping(), encoding=form.cleaned_data["encoding"], status=PeopleImport.Status.QUEUED
        )
        if started:
            tasks.start_import(job.pk)
        return redirect("api:people_import", job.pk)
    context = {
        "job": job, "form": form, "preview": _preview(job), "layout": LAYOUT_LABELS.get(job.layout, ""),
    }  # fmt: skip
    return render(request, "api/people_import_mapping.html", context, status=400 if form.errors else 200)


@verified_supporter_required
@require_http_methods(["POST"])
def people_import_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_import_for_staff(request.user, job_id)
    if PeopleImport.objects.filter(pk=job.pk, status=PeopleImport.Status.UPLOADED).update(
        status=PeopleImport.Status.FAILED
    ):
        import_files.finish(job, PeopleImport.Status.FAILED, _("Cancelled: the file was deleted."))
    return redirect("api:people_imports")


class _Line:
    def write(self, text: str) -> str:
        return text


@verified_supporter_required
@require_GET
def people_import_problems(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    """The lines that did not load (or loaded without a value), as CSV: line, reason, loaded."""
    job = get_import_for_staff(request.user, job_id)
    writer = csv.writer(_Line())

    def lines():
        yield writer.writerow(["line", "problem", "loaded"])
        for line, reason, loaded in job.problems.values_list("line", "reason", "loaded").iterator(
            chunk_size=2000
        ):
            yield writer.writerow([line, exports.safe_cell(reason), "yes" if loaded else "no"])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response


@verified_supporter_required
@require_GET
def export_data(request: HttpRequest) -> HttpResponse:
    """The export page; with `what` and `file_format`, the file itself, streamed."""
    require_staff(request.user)
    form = ExportForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return render(request, "api/exports.html", {"form": form}, status=400 if form.errors else 200)
    export = exports.EXPORTS[form.cleaned_data["what"]]
    file_format = form.cleaned_data["file_format"]
    if file_format == "csv":
        response = StreamingHttpResponse(exports.stream_csv(export), content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(exports.stream_json(export), content_type="application/json")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{export.name}-{stamp}.{file_format}"'
    response["Cache-Control"] = "no-store"
    return response
