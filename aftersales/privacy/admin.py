"""The admins' queue of erasure requests (个人信息删除申请): pending requests first, the
oldest first. Nothing is edited here; every decision goes through
`requests.erasure_decide` — the list's action approves the selected requests, and a
request's own page approves or refuses one with a note (a refusal needs one)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.common.errors import DomainError

from .models import ErasureRequest
from .requests import erasure_decide


class DecisionForm(forms.ModelForm):
    """A pending request's page: the decision and its note."""

    decision = forms.ChoiceField(
        label=gettext_lazy("处理决定"),
        choices=[
            ("approve", gettext_lazy("批准：删除可删除的个人信息")),
            ("refuse", gettext_lazy("拒绝（须填写理由）")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("处理说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = ErasureRequest
        fields: list[str] = []


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "requested_at", "state", "decided_by", "decided_at")
    list_filter = ("state",)
    search_fields = ("customer__name",)
    actions = ["approve_selected"]
    readonly_fields = (
        "customer",
        "requested_at",
        "reason",
        "ip",
        "state",
        "decided_by",
        "decided_at",
        "decision_note",
        "report",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer", "decided_by")

    def get_ordering(self, request):
        # The queue: pending requests first, the oldest first; decided ones after them.
        waiting = Case(When(state=ErasureRequest.State.PENDING, then=Value(0)), default=Value(1))
        return (waiting.asc(), "requested_at", "id")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Only a pending request has something to decide.
        if obj is not None and obj.state != ErasureRequest.State.PENDING:
            return False
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.state == ErasureRequest.State.PENDING:
            kwargs["form"] = DecisionForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.state == ErasureRequest.State.PENDING:
            fields += ["decision", "note"]
        return fields

    def save_model(self, request, obj, form, change):
        # The decision is the service's write; the form itself saves nothing.
        try:
            erasure_decide(
                request=obj,
                actor=request.user,
                approve=form.cleaned_data.get("decision") == "approve",
                note=form.cleaned_data.get("note", ""),
            )
        except DomainError as exc:
            detail = "；".join(exc.fields.values()) if exc.fields else ""
            self.message_user(request, f"{exc.message} {detail}".strip(), messages.ERROR)

    @admin.action(description=gettext_lazy("批准所选申请并删除可删除的个人信息"))
    def approve_selected(self, request, queryset):
        done = 0
        for item in queryset.filter(state=ErasureRequest.State.PENDING).order_by("requested_at"):
            try:
                erasure_decide(request=item, actor=request.user, approve=True)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"#{item.pk}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, _("已处理 %(count)d 件删除申请") % {"count": done})
