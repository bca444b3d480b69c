"""Staff pages of the API: issue keys (the token shown once), choose their scopes, revoke, see last use."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartier.accounts.access import require_staff
from quartier.api.actions import keys as key_actions
from quartier.api.forms import ApiKeyForm
from quartier.api.models import ApiKey
from quartier.api.scopes import RESOURCES


def _page(request: HttpRequest, form: ApiKeyForm, *, new_token: str = "", status: int = 200) -> HttpResponse:
    keys = list(ApiKey.objects.select_related("created_by").order_by("revoked_at", "-created_at")[:200])
    for key in keys:
        key.scope_labels = [  # type: ignore[attr-defined]
            (RESOURCES.get(scope.split(":")[0], scope), scope.endswith(":write")) for scope in key.scopes
        ]
    return render(
        request, "api/keys.html", {"form": form, "keys": keys, "new_token": new_token}, status=status
    )


def api_keys(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    if request.method == "POST":
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            _key, token = key_actions.issue_key(
                name=form.cleaned_data["name"], levels=form.levels(), created_by=request.user
            )
            # Rendered, never redirected: the token is not kept anywhere to show it again.
            response = _page(request, ApiKeyForm(), new_token=token)
            response["Cache-Control"] = "no-store"
            return response
        return _page(request, form, status=400)
    return _page(request, ApiKeyForm())


@require_POST
def revoke_api_key(request: HttpRequest, key_id: int) -> HttpResponse:
    require_staff(request.user)
    key = ApiKey.objects.filter(pk=key_id).first()
    if key is None:
        raise Http404
    if key_actions.revoke_key(key=key):
        messages.success(
            request, _("The key “%(name)s” is revoked: it no longer works.") % {"name": key.name}
        )
    return redirect("api:keys")
