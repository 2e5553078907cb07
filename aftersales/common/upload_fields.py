"""A form field that takes several files at once (the evidence of an intake or of a
customer's message); each file is then judged by the evidence service (content, size)."""

from django import forms


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files at once: a list, empty when none was chosen."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(EvidenceField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []
