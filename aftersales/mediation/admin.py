"""Admin for mediation records: read-only. Commitments, proposals, approvals, customer
answers and agreements are written by the services, each change on the timeline. The
revisions' one-time code hashes and the customer links are not shown at all (they are
hashes, but nobody needs them here); the authority ceilings are settings."""

from django.contrib import admin

from aftersales.common.readonly_admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Commitment, Proposal, ProposalApproval, ProposalRevision, SettlementAgreement


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "text", "due_at", "state", "made_by", "kept_at")
    list_filter = ("state",)
    search_fields = ("dispute__number", "text")


class ProposalRevisionInline(ReadOnlyInline):
    model = ProposalRevision
    fields = ("number", "state", "total_amount", "authority_amount", "below_minimum", "author")
    readonly_fields = fields


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "id", "current_number", "state", "created_by", "updated_at")
    list_filter = ("state",)
    search_fields = ("dispute__number",)
    inlines = [ProposalRevisionInline]


@admin.register(ProposalApproval)
class ProposalApprovalAdmin(ReadOnlyAdmin):
    list_display = ("revision", "step", "decision", "approver", "approver_role", "amount", "at")
    list_filter = ("step", "decision")
    search_fields = ("revision__proposal__dispute__number",)


@admin.register(SettlementAgreement)
class SettlementAgreementAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "proposal", "sha256", "customer_method", "generated_at")
    search_fields = ("dispute__number", "sha256")
    exclude = ("pdf",)
