"""Admin for mediation records. Commitments are read-only here: they are made and kept
through the services, so each change is on the timeline."""

from django.contrib import admin

from .models import Commitment, Proposal, ProposalApproval, ProposalRevision, SettlementAgreement


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("dispute", "text", "due_at", "state", "made_by", "kept_at")
    list_filter = ("state",)
    search_fields = ("dispute__number", "text")
    readonly_fields = [f.name for f in Commitment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Proposals (aftersales.mediation.proposals): read-only, as every change goes through the
# services and onto the timeline.


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProposalRevisionInline(admin.TabularInline):
    model = ProposalRevision
    fields = ("number", "state", "total_amount", "authority_amount", "below_minimum", "author")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(_ReadOnly):
    list_display = ("dispute", "id", "current_number", "state", "created_by", "updated_at")
    list_filter = ("state",)
    search_fields = ("dispute__number",)
    inlines = [ProposalRevisionInline]


@admin.register(ProposalApproval)
class ProposalApprovalAdmin(_ReadOnly):
    list_display = ("revision", "step", "decision", "approver", "approver_role", "amount", "at")
    list_filter = ("step", "decision")
    search_fields = ("revision__proposal__dispute__number",)


@admin.register(SettlementAgreement)
class SettlementAgreementAdmin(_ReadOnly):
    list_display = ("dispute", "proposal", "sha256", "customer_method", "generated_at")
    search_fields = ("dispute__number", "sha256")
    exclude = ("pdf",)
