"""loaddata that validates catalog objects like the admin does, and refuses the whole load if
anything is invalid: nothing is half-saved, because Django's loaddata runs in one transaction."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import CommandError
from django.core.management.commands import loaddata

from catalog.models import Collaboration, Contribution, check_one_accountable, now_to_the_second


class Command(loaddata.Command):
    def loaddata(self, fixture_labels) -> None:
        self.touched_collaborations: set[int] = set()
        super().loaddata(fixture_labels)
        collaborations = Collaboration.objects.filter(
            pk__in=self.touched_collaborations
        ).prefetch_related("contributions")
        for collaboration in collaborations:
            letters = [c.raci for c in collaboration.contributions.all()]
            try:
                check_one_accountable(letters, f"“{collaboration.slug}”")
            except ValidationError as error:
                raise CommandError(f"Invalid catalog data: {error.messages[0]}") from None

    def save_obj(self, obj) -> bool:
        instance = obj.object
        if instance._meta.app_label == "catalog" and not instance._meta.model_name.startswith(
            "historical"
        ):
            if hasattr(instance, "updated") and instance.updated is None:
                instance.updated = now_to_the_second()
            deferred = {field.name for field in (obj.deferred_fields or {})}
            try:
                instance.full_clean(exclude=deferred or None)
            except ValidationError as error:
                details = "; ".join(
                    " ".join(messages)
                    if field == NON_FIELD_ERRORS
                    else f"{field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                )
                raise CommandError(
                    f"Invalid catalog data in {instance._meta.label} “{instance}”: {details}"
                ) from None
            if isinstance(instance, Contribution):
                self.touched_collaborations.add(instance.collaboration_id)
        saved = super().save_obj(obj)
        if isinstance(instance, Collaboration):
            self.touched_collaborations.add(instance.pk)
        return saved
