"""The role catalog: roles, what they do and know, how they differ and where they work together.

Every model has a natural key made of slugs (a parent's key plus its own slug where it belongs to
a parent), so fixtures never carry numeric primary keys. Every content model is registered with
django-reversion; a role's and a collaboration's revisions also hold the rows edited inline with
them, so one admin save is one revision and reverting it restores all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from catalog.querysets import (
    KEY_QUESTION,
    CollaborationQuerySet,
    PairingQuerySet,
    RoleMoveQuerySet,
    RoleQuerySet,
    SlugManager,
    SourceQuerySet,
)


class Level(models.TextChoices):
    ESSENTIAL = "essential", "Essential"
    USEFUL = "useful", "Useful"


class Involvement(models.TextChoices):
    LEADS = "leads", "Leads"
    SUPPORTS = "supports", "Supports"
    NONE = "none", "Not involved"


class Raci(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


RACI_MEANINGS = {
    Raci.RESPONSIBLE: "does the work",
    Raci.ACCOUNTABLE: "owns the outcome",
    Raci.CONSULTED: "is asked before",
    Raci.INFORMED: "is told after",
}

# The letters of a role that does the work or owns the outcome: its own page must say so, and
# the grid's role filter keeps an activity for them. Being consulted or informed is not "theirs".
LEADING_RACI = {Raci.RESPONSIBLE, Raci.ACCOUNTABLE}


ROLE_ACCENTS = 8  # .accent-0 … .accent-7 in static/css/site.css


def now_to_the_second():
    """Whole seconds, so an exported timestamp reloads to exactly the same text."""
    return timezone.now().replace(microsecond=0)


class UpdatedField(models.DateTimeField):
    """Set to the current second on every save, like auto_now."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = now_to_the_second()
        setattr(model_instance, self.attname, value)
        return value


class Content(models.Model):
    """Marks a model whose rows are catalog content: catalog.registry finds it, so its rows are
    downloaded, its edits move the catalog version on, and the Editors group may edit it."""

    class Meta:
        abstract = True


class TimeStamped(Content):
    """`updated` feeds the API's `updated` times and the admin's stale-edit guard."""

    updated = UpdatedField()

    class Meta:
        abstract = True


class SourceKind(models.TextChoices):
    STANDARD = "standard", "Standard or body of knowledge"
    FRAMEWORK = "framework", "Skills or role framework"
    OCCUPATION = "occupation", "Occupational classification"
    PRACTITIONER = "practitioner", "Practitioner article (secondary)"
    EDITORIAL = "editorial", "The editors' own judgement"
    SEED = "seed", "The article the catalog began with"


# Sources a reader cannot open, labelled as such on every page that cites them.
UNLINKED_KINDS = {SourceKind.EDITORIAL, SourceKind.SEED}

LOCATOR_MAX_WORDS = 25


def validate_locator(value: str) -> None:
    """A locator is a section, a page or a short quotation: at most 25 words."""
    words = len(value.split())
    if words > LOCATOR_MAX_WORDS:
        raise ValidationError(
            f"A locator has at most {LOCATOR_MAX_WORDS} words (a section, a page or a short "
            f"quotation); this one has {words}."
        )


# What belongs to a role and is edited on its admin page (not its parts in collaborations,
# which are edited, and reverted, with each collaboration).
ROLE_INLINES = [
    "responsibilities",
    "knowledge",
    "traits",
    "involvements",
    "confusions",
    "citations",
    "anti_patterns",
    "certifications",
    "occupation_codes",
    "levels",
]


@reversion.register()
class Source(TimeStamped):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=SourceKind.choices, default=SourceKind.STANDARD)
    publisher = models.CharField(max_length=200, blank=True)
    edition = models.CharField(max_length=120, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year of publication of the edition cited."
    )
    accessed = models.DateField(
        null=True, blank=True, help_text="When the editors last checked it."
    )
    url = models.URLField(max_length=500, blank=True)
    note = models.TextField("what it is for", blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = SlugManager.from_queryset(SourceQuerySet)()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return f"{reverse('catalog:sources')}#source-{self.slug}"

    @property
    def unlinked_label(self) -> str:
        """Why a reader finds no link: the seed article, or the editors' own judgement."""
        return self.get_kind_display() if self.kind in UNLINKED_KINDS and not self.url else ""

    def cited_by(self) -> list[CitingItem]:
        """Everything that cites this source, and where, from `SourceQuerySet.with_citations()`."""
        from catalog.registry import citation_models, cited_from

        return [
            CitingItem(citation.item, citation.locator)
            for model in citation_models()
            for citation in getattr(self, cited_from(model)).all()
        ]


def sources_of(items: Iterable[models.Model]) -> list[list[Source]]:
    """The sources the items cite (their citations prefetched), in the sources' order, each as
    every copy of it the prefetches made (a page numbers each copy)."""
    found: dict[int, list[Source]] = {}
    for item in items:
        for citation in item.citations.all():
            found.setdefault(citation.source_id, []).append(citation.source)
    return sorted(found.values(), key=lambda copies: (copies[0].order, copies[0].title))


@dataclass(frozen=True)
class CitingItem:
    """One thing that cites a source and where in the source (the locator). It is named by its
    subject: itself when it has a slug, else what it is about (a trait by its dimension)."""

    item: models.Model
    locator: str

    @property
    def kind(self) -> str:
        from catalog.registry import kind_of

        return kind_of(type(self.item))

    @property
    def subject(self) -> models.Model:
        if hasattr(self.item, "slug"):
            return self.item
        return next(
            getattr(self.item, field.name)
            for field in self.item._meta.concrete_fields
            if field.many_to_one and field.name != "role"
        )

    @property
    def slug(self) -> str:
        return self.subject.slug

    @property
    def title(self) -> str:
        subject = self.subject
        return getattr(subject, "name", None) or getattr(subject, "title", None) or str(subject)

    @property
    def role(self) -> Role | None:
        """The role the item belongs to (a role belongs to itself)."""
        return self.item if isinstance(self.item, Role) else getattr(self.item, "role", None)

    @property
    def path(self) -> str | None:
        """The item's place on the site; lifecycle stages and knowledge areas have none."""
        for thing in (self.item, self.subject):
            if hasattr(thing, "get_absolute_url"):
                return thing.get_absolute_url()
        return None


@reversion.register()
class Function(TimeStamped):
    """A function area, such as Strategy or Tech knowledge ("key functions" in the seed)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = SlugManager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


@reversion.register(follow=ROLE_INLINES)
class Role(TimeStamped):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    short_name = models.CharField(
        max_length=40, blank=True, help_text="Used in tight places such as table headings."
    )
    other_titles = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other titles people use for this role, separated by commas "
        "(e.g. “PO, Scrum product owner”); search finds the role by them.",
    )
    summary = models.CharField(max_length=300, help_text="One sentence; used in link previews.")
    main_goal = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    key_functions = models.ManyToManyField(Function, blank=True, related_name="key_for_roles")

    objects = SlugManager.from_queryset(RoleQuerySet)()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def get_absolute_url(self) -> str:
        return reverse("catalog:role-detail", args=[self.slug])

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def other_title_list(self) -> list[str]:
        return [title.strip() for title in self.other_titles.split(",") if title.strip()]

    def cited_sources(self) -> list[Source]:
        """Every source the role, its items, its shared activities and the moves from and to it
        cite, in the sources' order (from `with_page`)."""
        items = [
            *self.cited_items(),
            *(part.collaboration for part in self.contributions.all()),
            *self.anti_patterns.all(),
            *self.certifications.all(),
            *self.occupation_codes.all(),
            *self.moves_out.all(),
            *self.moves_in.all(),
        ]
        return [copies[0] for copies in sources_of(items)]

    def cited_items(self) -> list[models.Model]:
        """The role and the items of its own that cite sources (from `with_page`)."""
        return [
            self,
            *self.responsibilities.all(),
            *self.knowledge.all(),
            *self.traits.all(),
            *self.involvements.all(),
            *self.levels.all(),
        ]

    @property
    def accent(self) -> int:
        """Which of the eight role accent colours (CSS .accent-N) this role wears everywhere."""
        return (self.order - 1) % ROLE_ACCENTS

    def save(self, *args, **kwargs) -> None:
        # Keep links to a renamed role working: remember the old slug for a 301.
        old_slug = None
        if self.pk:
            old_slug = Role.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
        super().save(*args, **kwargs)
        self.moved_from(old_slug)

    def moved_from(self, old_slug: str | None) -> None:
        """Answer the old slug's URLs with a 301 to this role (a rename, or a revert of one)."""
        if old_slug and old_slug != self.slug:
            RoleSlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"role": self})
            RoleSlugRedirect.objects.filter(old_slug=self.slug).delete()


class RoleSlugRedirect(Content):
    """An old slug of a renamed role; its URLs answer 301 to the role's current slug."""

    old_slug = models.SlugField(max_length=80, unique=True)
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="old_slugs")

    class Manager(models.Manager):
        def get_by_natural_key(self, old_slug: str):
            return self.get(old_slug=old_slug)

    objects = Manager()

    class Meta:
        ordering = ["old_slug"]

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.role.slug}"

    def natural_key(self) -> tuple[str]:
        return (self.old_slug,)

    natural_key.dependencies = ["catalog.role"]

    def clean(self) -> None:
        if Role.objects.filter(slug=self.old_slug).exists():
            raise ValidationError({"old_slug": "A role already uses this slug."})


@reversion.register()
class Confusion(TimeStamped):
    """Another role people mix this one up with, and in one sentence why and how they differ."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="confusions")
    other = models.ForeignKey(
        Role, on_delete=models.CASCADE, related_name="+", verbose_name="confused with"
    )
    why = models.CharField(
        max_length=300,
        help_text="One sentence: what the two seem to share and where they differ.",
    )
    order = models.PositiveIntegerField(default=0)

    class Manager(models.Manager):
        def get_by_natural_key(self, role_slug: str, other_slug: str):
            return self.get(role__slug=role_slug, other__slug=other_slug)

    objects = Manager()

    class Meta:
        ordering = ["role__order", "order", "other__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "other"],
                name="unique_confusion_per_pair",
                violation_error_message="This role is already listed as confused with that one.",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=models.F("other")),
                name="confusion_of_two_different_roles",
                violation_error_message="A role can't be confused with itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} is confused with {self.other}"

    def natural_key(self) -> tuple[str, str]:
        return (self.role.slug, self.other.slug)

    natural_key.dependencies = ["catalog.role"]

    def get_absolute_url(self) -> str:
        return comparison_url([self.role.slug, self.other.slug])

    def clean(self) -> None:
        if sentence_count(self.why) != 1:
            raise ValidationError({"why": "Say it in one sentence."})


def comparison_url(slugs: list[str]) -> str:
    """The comparison of these roles, in this order (two to four)."""
    url = reverse("catalog:compare", args=slugs[:2])
    return url + "".join(f"vs/{slug}/" for slug in slugs[2:])


class RoleItemManager(models.Manager):
    """Natural key (role slug, item slug) for items that belong to a role."""

    def get_by_natural_key(self, role_slug: str, slug: str):
        return self.get(role__slug=role_slug, slug=slug)


class RoleItem(TimeStamped):
    """Something of one role's with a slug unique within the role (each subclass declares
    `role`, `slug` and `order`): its natural key is (role slug, slug) and its address an anchor
    on the role page, `<role>-<anchor_kind>-<slug>`."""

    anchor_kind = ""

    objects = RoleItemManager()

    class Meta:
        abstract = True
        ordering = ["role__order", "order", "slug"]

    def natural_key(self) -> tuple[str, str]:
        return (self.role.slug, self.slug)

    natural_key.dependencies = ["catalog.role"]

    @property
    def anchor(self) -> str:
        return "-".join(filter(None, [self.role.slug, self.anchor_kind, self.slug]))

    def get_absolute_url(self) -> str:
        return f"{self.role.get_absolute_url()}#{self.anchor}"


@reversion.register(follow=["citations"])
class Responsibility(RoleItem):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="responsibilities")
    function = models.ForeignKey(
        Function, on_delete=models.PROTECT, related_name="responsibilities"
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta(RoleItem.Meta):
        verbose_name_plural = "responsibilities"
        constraints = [
            models.UniqueConstraint(
                fields=["role", "slug"],
                name="unique_responsibility_slug_per_role",
                violation_error_message="This role already has a responsibility with this slug.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str, str]:
        return super().natural_key()

    natural_key.dependencies = ["catalog.role", "catalog.function"]

    @property
    def shared_activities(self) -> list[Contribution]:
        """The role's parts in shared activities that exercise this responsibility, read from
        `Role.objects.with_page()` without a query of its own."""
        return [
            part
            for part in self.role.contributions.all()
            if any(named.pk == self.pk for named in part.responsibilities.all())
        ]


@reversion.register(follow=["citations"])
class KnowledgeArea(TimeStamped):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = SlugManager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


@reversion.register(follow=["citations"])
class RoleKnowledge(TimeStamped):
    """A knowledge area a role holds, at a level."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="knowledge")
    area = models.ForeignKey(KnowledgeArea, on_delete=models.CASCADE, related_name="holders")
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.ESSENTIAL)
    note = models.TextField(blank=True)

    class Manager(models.Manager):
        def get_by_natural_key(self, role_slug: str, area_slug: str):
            return self.get(role__slug=role_slug, area__slug=area_slug)

    objects = Manager()

    class Meta:
        ordering = ["role__order", "area__order", "area__name"]
        verbose_name = "role knowledge"
        verbose_name_plural = "role knowledge"
        constraints = [
            models.UniqueConstraint(
                fields=["role", "area"],
                name="unique_knowledge_area_per_role",
                violation_error_message="This role already holds this knowledge area.",
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values),
                name="role_knowledge_level_valid",
                violation_error_message="Level must be essential or useful.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.area} ({self.get_level_display()})"

    def natural_key(self) -> tuple[str, str]:
        return (self.role.slug, self.area.slug)

    natural_key.dependencies = ["catalog.role", "catalog.knowledgearea"]

    @property
    def anchor(self) -> str:
        return f"{self.role.slug}-knowledge-{self.area.slug}"

    def get_absolute_url(self) -> str:
        return f"{self.role.get_absolute_url()}#{self.anchor}"


@reversion.register()
class Dimension(TimeStamped):
    """A row of the side-by-side table: main objective, key question, success measure …"""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = SlugManager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


@reversion.register(follow=["citations"])
class Trait(TimeStamped):
    """A role's value on a dimension; one per (role, dimension)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="traits")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="traits")
    text = models.TextField()

    class Manager(models.Manager):
        def get_by_natural_key(self, role_slug: str, dimension_slug: str):
            return self.get(role__slug=role_slug, dimension__slug=dimension_slug)

    objects = Manager()

    class Meta:
        ordering = ["dimension__order", "role__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "dimension"],
                name="unique_trait_per_role_dimension",
                violation_error_message="This role already has a trait on this dimension.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.dimension}"

    def natural_key(self) -> tuple[str, str]:
        return (self.role.slug, self.dimension.slug)

    natural_key.dependencies = ["catalog.role", "catalog.dimension"]

    @property
    def anchor(self) -> str:
        return f"{self.role.slug}-trait-{self.dimension.slug}"

    def get_absolute_url(self) -> str:
        return f"{self.role.get_absolute_url()}#{self.anchor}"


@reversion.register(follow=["citations"])
class LifecycleStage(TimeStamped):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = SlugManager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


@reversion.register(follow=["citations"])
class StageInvolvement(TimeStamped):
    """How a role takes part in a lifecycle stage: leads, supports, or not at all."""

    cited_as = "involvement"  # its kind in the API's `cited_by` since v1

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="involvements")
    stage = models.ForeignKey(LifecycleStage, on_delete=models.CASCADE, related_name="involvements")
    level = models.CharField(max_length=12, choices=Involvement.choices, default=Involvement.LEADS)
    note = models.TextField(blank=True)

    class Manager(models.Manager):
        def get_by_natural_key(self, role_slug: str, stage_slug: str):
            return self.get(role__slug=role_slug, stage__slug=stage_slug)

    objects = Manager()

    class Meta:
        ordering = ["stage__order", "role__order"]
        verbose_name = "lifecycle involvement"
        constraints = [
            models.UniqueConstraint(
                fields=["role", "stage"],
                name="unique_involvement_per_role_stage",
                violation_error_message="This role already has an involvement in this stage.",
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=Involvement.values),
                name="involvement_level_valid",
                violation_error_message="Involvement must be leads, supports or none.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.stage} ({self.get_level_display()})"

    def natural_key(self) -> tuple[str, str]:
        return (self.role.slug, self.stage.slug)

    natural_key.dependencies = ["catalog.role", "catalog.lifecyclestage"]

    @property
    def anchor(self) -> str:
        return f"{self.role.slug}-stage-{self.stage.slug}"

    def get_absolute_url(self) -> str:
        return f"{self.role.get_absolute_url()}#{self.anchor}"


@reversion.register(follow=["contributions", "citations"])
class Collaboration(TimeStamped):
    """A shared activity or hand-off, with each role's contribution and RACI letter."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    why_accountable = models.TextField(
        "why the A is the A",
        blank=True,
        help_text="One or two sentences: why the accountable role owns the outcome, and who "
        "does when that role is missing.",
    )
    order = models.PositiveIntegerField(default=0)

    objects = SlugManager.from_queryset(CollaborationQuerySet)()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def anchor(self) -> str:
        return f"collaboration-{self.slug}"

    def get_absolute_url(self) -> str:
        return f"{reverse('catalog:collaboration')}#{self.anchor}"


def check_one_accountable(letters: list[str], title: str = "this activity") -> None:
    """RACI: exactly one role is Accountable for each activity."""
    count = letters.count(Raci.ACCOUNTABLE)
    if count != 1:
        raise ValidationError(
            f"Exactly one role must be Accountable (A) for {title}; found {count}."
        )


def check_contribution_responsibilities(
    role: Role, raci: str, responsibilities: Iterable[Responsibility]
) -> None:
    """An R or an A names the responsibilities of its own role that it exercises, so the grid
    never gives a role work its page does not mention."""
    named = list(responsibilities)
    foreign = [r.title for r in named if r.role_id != role.pk]
    if foreign:
        raise ValidationError(
            f"Not a responsibility of the {role}: {', '.join(foreign)}. Name only the "
            f"{role}'s own responsibilities."
        )
    if raci in LEADING_RACI and not named:
        raise ValidationError(
            f"The {role} is {Raci(raci).label} ({raci}) here: name the responsibility on its "
            "page that this part exercises, or add one to the role first."
        )


@reversion.register(follow=["citations"])
class Contribution(TimeStamped):
    """A role's part in a collaboration and its RACI letter."""

    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="contributions"
    )
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="contributions")
    raci = models.CharField("RACI", max_length=1, choices=Raci.choices)
    text = models.TextField(help_text="What this role does in the activity.")
    responsibilities = models.ManyToManyField(
        Responsibility,
        blank=True,
        related_name="contributions",
        help_text="The responsibilities of this role that its part exercises; an R or an A "
        "names at least one, so the grid and the role page agree.",
    )

    class Manager(models.Manager):
        def get_by_natural_key(self, collaboration_slug: str, role_slug: str):
            return self.get(collaboration__slug=collaboration_slug, role__slug=role_slug)

    objects = Manager()

    class Meta:
        ordering = ["collaboration__order", "role__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "role"],
                name="unique_contribution_per_role",
                violation_error_message="This role already has a part in this collaboration.",
            ),
            models.UniqueConstraint(
                fields=["collaboration"],
                condition=models.Q(raci="A"),
                name="one_accountable_per_collaboration",
                violation_error_message="Another role is already Accountable for this activity.",
            ),
            models.CheckConstraint(
                condition=models.Q(raci__in=Raci.values),
                name="contribution_raci_valid",
                violation_error_message="RACI letter must be R, A, C or I.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collaboration}: {self.role} ({self.raci})"

    def natural_key(self) -> tuple[str, str]:
        return (self.collaboration.slug, self.role.slug)

    natural_key.dependencies = ["catalog.collaboration", "catalog.role"]

    @property
    def meaning(self) -> str:
        return RACI_MEANINGS[Raci(self.raci)]


# --- citations ---------------------------------------------------------------------------------


class CitationManager(models.Manager):
    """Natural key: the cited item's natural key, then the source's slug."""

    def get_by_natural_key(self, *key: str):
        *item_key, source_slug = key
        item_model = self.model._meta.get_field("item").related_model
        item = item_model._default_manager.get_by_natural_key(*item_key)
        return self.get(item=item, source__slug=source_slug)


class Citation(TimeStamped):
    """Where in a source an item's claim comes from: a section, a page or a short quotation.

    One concrete model per citable model (below), each with `item` and related name
    `citations`, so every cited item has `item.citations.all()`.
    """

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="%(class)ss")
    locator = models.CharField(
        max_length=300,
        validators=[validate_locator],
        help_text="Where the source says it: a section, a page, or a quotation of at most 25 "
        "words. For the editorial source, the editors' reasoning in one line.",
    )
    order = models.PositiveIntegerField(default=0)

    objects = CitationManager()

    class Meta:
        abstract = True
        ordering = ["order", "source__order", "source__slug"]
        # Each concrete citation model inherits it, named after itself.
        constraints = [
            models.UniqueConstraint(
                fields=["item", "source"],
                name="unique_source_per_%(class)s",
                violation_error_message="This item already cites this source.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.locator}"

    def natural_key(self) -> tuple[str, ...]:
        return (*self.item.natural_key(), self.source.slug)


@reversion.register()
class RoleCitation(Citation):
    item = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class ResponsibilityCitation(Citation):
    item = models.ForeignKey(Responsibility, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class KnowledgeAreaCitation(Citation):
    item = models.ForeignKey(KnowledgeArea, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class RoleKnowledgeCitation(Citation):
    item = models.ForeignKey(RoleKnowledge, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class TraitCitation(Citation):
    item = models.ForeignKey(Trait, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class LifecycleStageCitation(Citation):
    item = models.ForeignKey(LifecycleStage, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class StageInvolvementCitation(Citation):
    item = models.ForeignKey(StageInvolvement, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class CollaborationCitation(Citation):
    item = models.ForeignKey(Collaboration, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class ContributionCitation(Citation):
    item = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="citations")


class CatalogVersion(models.Model):
    """A single row whose number goes up whenever catalog content changes (for ETags)."""

    number = models.PositiveBigIntegerField(default=1)
    changed = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"catalog version {self.number}"


class ChangeQuerySet(models.QuerySet):
    def for_role(self, role: Role) -> ChangeQuerySet:
        """A role's changes, and the catalog load every role began with."""
        return self.filter(models.Q(role=role) | models.Q(action=Change.Action.LOADED))

    def entries(self) -> models.QuerySet:
        """The revisions these changes belong to, newest first, each with just these changes."""
        from reversion.models import Revision

        return (
            Revision.objects.filter(pk__in=self.values("revision"))
            .order_by("-date_created", "-pk")
            .prefetch_related(models.Prefetch("changes", queryset=self.order_by("pk")))
        )


class Change(models.Model):
    """One record's change in one revision, as the public change log shows it.

    Written when a revision is saved (catalog.changes), so the log is a plain query that can be
    filtered by role. It holds no editor: who changed what stays in the admin.
    """

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        CHANGED = "changed", "Changed"
        LOADED = "loaded", "Catalog loaded"

    revision = models.ForeignKey(
        "reversion.Revision", on_delete=models.CASCADE, related_name="changes"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    kind = models.CharField(max_length=80, help_text="What sort of record, e.g. responsibility.")
    record = models.CharField(max_length=300, help_text="The record's name when it changed.")
    url = models.CharField(max_length=500, blank=True)
    role = models.ForeignKey(
        Role, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    fields = models.JSONField(default=list, help_text="[{field, before, after}] in form order.")

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.kind} {self.record}"


# --- pairings: the editors' answer for one pair of roles ---------------------------------------

KEY_DIFFERENCES_MAX = 6
PAIRING_ROLES_MIN = 2
PAIRING_ROLES_MAX = 4


def sentence_count(text: str) -> int:
    """Sentences in `text`: runs ending in . ! or ? (a closing quote may follow), or at the end."""
    text = text.strip()
    return len(re.findall(r"[^.!?]+(?:[.!?]+[\u201d\u2019\"')]*|$)", text)) if text else 0


@reversion.register(follow=["key_differences", "citations"])
class Pairing(TimeStamped):
    """What editors say about two to four roles people confuse: the bottom line and the
    differences that count.

    The set is unordered (the comparison shows the roles in the order a reader asks for); no two
    pairings hold the same set of roles (checked by `check_pairing_roles`, as the database can't
    compare sets).
    """

    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="An identifier: the roles' slugs in alphabetical order joined by “-vs-”.",
    )
    roles = models.ManyToManyField(
        Role, related_name="pairings", help_text="Two to four roles people mix up."
    )
    bottom_line = models.TextField(
        max_length=600,
        help_text="One to three sentences a newcomer can take away: how the roles differ.",
    )

    objects = SlugManager.from_queryset(PairingQuerySet)()

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return " and ".join(role.name for role in self.ordered_roles)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def ordered_roles(self) -> list[Role]:
        """The roles in catalog order (from a prefetch of `roles` when there is one)."""
        return sorted(self.roles.all(), key=lambda role: (role.order, role.name))

    def get_absolute_url(self) -> str:
        return comparison_url([role.slug for role in self.ordered_roles])

    def clean(self) -> None:
        if not 1 <= sentence_count(self.bottom_line) <= 3:
            raise ValidationError({"bottom_line": "Say it in one to three sentences."})


@reversion.register()
class PairingCitation(Citation):
    item = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="citations")


def pairing_slug(roles: Iterable[Role]) -> str:
    return "-vs-".join(sorted(role.slug for role in roles))


def check_pairing_roles(roles: list[Role], pairing: Pairing | None = None) -> None:
    """Two to four different roles, and no other pairing of exactly the same set."""
    ids = {role.pk for role in roles}
    if len(ids) != len(roles) or not PAIRING_ROLES_MIN <= len(ids) <= PAIRING_ROLES_MAX:
        raise ValidationError(
            f"A pairing holds {PAIRING_ROLES_MIN} to {PAIRING_ROLES_MAX} different roles; "
            f"this one has {len(roles)}, {len(ids)} of them different."
        )
    same = Pairing.objects.for_roles(roles)
    if pairing is not None and pairing.pk:
        same = same.exclude(pk=pairing.pk)
    if same.exists():
        raise ValidationError(f"These roles already have a pairing: {same.first()}.")


@reversion.register()
class KeyDifference(TimeStamped):
    """A dimension editors chose for a pairing's key-differences table, in their order.

    The key question is always one of the rows: a pairing that doesn't list it shows it first.
    """

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="key_differences")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField(default=0)

    class Manager(models.Manager):
        def get_by_natural_key(self, pairing_slug: str, dimension_slug: str):
            return self.get(pairing__slug=pairing_slug, dimension__slug=dimension_slug)

    objects = Manager()

    class Meta:
        ordering = ["order", "dimension__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "dimension"],
                name="unique_key_difference_per_pairing",
                violation_error_message="This pairing already shows this dimension.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pairing}: {self.dimension}"

    def natural_key(self) -> tuple[str, str]:
        return (self.pairing.slug, self.dimension.slug)

    natural_key.dependencies = ["catalog.pairing", "catalog.dimension"]

    # The admin's inline checks all of a pairing's rows at once (it sees rows being deleted
    # in the same save); it sets this so each row doesn't count the saved rows as well.
    checked_with_siblings = False

    def clean(self) -> None:
        if self.checked_with_siblings or self.pairing_id is None or self.dimension_id is None:
            return
        others = self.pairing.key_differences.exclude(pk=self.pk).select_related("dimension")
        check_key_differences([d.dimension.slug for d in others] + [self.dimension.slug])


def check_key_differences(slugs: list[str]) -> None:
    """At most six rows, counting the key question, which is shown whether listed or not."""
    rows = len(set(slugs) | {KEY_QUESTION})
    if rows > KEY_DIFFERENCES_MAX:
        raise ValidationError(
            f"A comparison shows at most {KEY_DIFFERENCES_MAX} key differences, and the key "
            f"question is always one of them; these make {rows}."
        )


# --- how a role goes wrong, how it is certified, which occupation code fits it ------------------


@reversion.register(follow=["citations"])
class AntiPattern(RoleItem):
    """A common way a role goes wrong: what it looks like and why it hurts."""

    anchor_kind = "anti-pattern"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="anti_patterns")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120, help_text="A short name, e.g. “absentee sponsor”.")
    looks_like = models.TextField("what it looks like")
    why_it_hurts = models.TextField("why it hurts")
    confused_with = models.ForeignKey(
        Role,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The role this one is mistaken for, or drifts into, when it goes wrong this "
        "way. The comparison of the two shows it. Blank: not about a confusion.",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta(RoleItem.Meta):
        verbose_name = "anti-pattern"
        constraints = [
            models.UniqueConstraint(
                fields=["role", "slug"],
                name="unique_anti_pattern_slug_per_role",
                violation_error_message="This role already has an anti-pattern with this slug.",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=models.F("confused_with")),
                name="anti_pattern_confused_with_another_role",
                violation_error_message="An anti-pattern can't confuse a role with itself.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@reversion.register(follow=["citations"])
class Certification(RoleItem):
    """A recognised certification for a role, or (with no issuing body) a plain note that the
    role has none of its own."""

    anchor_kind = "certification"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="certifications")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=160)
    body = models.CharField("issuing body", max_length=160, blank=True)
    url = models.URLField(max_length=500, blank=True)
    attests = models.TextField("what it attests")
    order = models.PositiveIntegerField(default=0)

    class Meta(RoleItem.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["role", "slug"],
                name="unique_certification_slug_per_role",
                violation_error_message="This role already has a certification with this slug.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OccupationScheme(models.TextChoices):
    ONET = "onet", "O*NET-SOC 2019"
    UK_SOC = "uk-soc", "UK SOC 2020"
    ESCO = "esco", "ESCO"
    ISCO = "isco", "ISCO-08"


@reversion.register(follow=["citations"])
class OccupationCode(RoleItem):
    """Where a role sits in an occupational classification; a blank code says it has no code of
    its own and the note names the closest."""

    anchor_kind = "occupation"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="occupation_codes")
    slug = models.SlugField(max_length=80)
    scheme = models.CharField(max_length=8, choices=OccupationScheme.choices)
    code = models.CharField(max_length=40, blank=True, help_text="Blank: no code of its own.")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True)
    fit = models.TextField("how well it fits")
    order = models.PositiveIntegerField(default=0)

    class Meta(RoleItem.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["role", "slug"],
                name="unique_occupation_code_slug_per_role",
                violation_error_message="This role already has an occupation code with this slug.",
            ),
            models.CheckConstraint(
                condition=models.Q(scheme__in=OccupationScheme.values),
                name="occupation_code_scheme_valid",
                violation_error_message="Scheme must be O*NET-SOC, UK SOC, ESCO or ISCO-08.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.code or '(none)'}: {self.title}"


@reversion.register()
class AntiPatternCitation(Citation):
    item = models.ForeignKey(AntiPattern, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class CertificationCitation(Citation):
    item = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class OccupationCodeCitation(Citation):
    item = models.ForeignKey(OccupationCode, on_delete=models.CASCADE, related_name="citations")


# --- how a role grows by level, and how people move from one role to another -------------------

SFIA_LEVELS = range(1, 8)  # SFIA 9's seven levels of responsibility


@reversion.register(follow=["citations"])
class RoleLevel(RoleItem):
    """One rung of a role's ladder, mapped to an SFIA 9 level of responsibility and, where it has
    one, the UK DDaT framework's role level. A role with no ladder of its own has one rung that
    says so (no SFIA level), as a role with no certification has a certification that says so."""

    anchor_kind = "level"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="levels")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120, help_text="The title at this level, e.g. “Senior …”.")
    what_changes = models.TextField(
        "what changes",
        help_text="At this level: the scope, how much autonomy, whom it influences, and the "
        "decisions it owns.",
    )
    sfia_level = models.PositiveSmallIntegerField(
        "SFIA 9 level",
        null=True,
        blank=True,
        help_text="1 to 7. Blank for a role with no ladder of its own.",
    )
    ddat_level = models.CharField(
        "DDaT role level",
        max_length=120,
        blank=True,
        help_text="The UK DDaT framework's role level, where it has one.",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta(RoleItem.Meta):
        verbose_name = "level"
        constraints = [
            models.UniqueConstraint(
                fields=["role", "slug"],
                name="unique_level_slug_per_role",
                violation_error_message="This role already has a level with this slug.",
            ),
            models.CheckConstraint(
                condition=models.Q(sfia_level__isnull=True)
                | models.Q(sfia_level__gte=SFIA_LEVELS.start, sfia_level__lt=SFIA_LEVELS.stop),
                name="level_sfia_level_1_to_7",
                violation_error_message="An SFIA level is 1 to 7, or blank.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@reversion.register(follow=["citations"])
class RoleMove(TimeStamped):
    """A common move from one role to another: what carries over, what to learn, what closes the
    gap, and which of the old role's anti-patterns people bring with them."""

    slug = models.SlugField(max_length=170, unique=True, help_text="“<from>-to-<to>”.")
    from_role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="moves_out")
    to_role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="moves_in")
    summary = models.CharField(max_length=300, help_text="One sentence: what the move is.")
    transfers = models.TextField("what transfers")
    to_learn = models.TextField("what to learn")
    knowledge_areas = models.ManyToManyField(
        KnowledgeArea, blank=True, related_name="moves", help_text="Knowledge that closes the gap."
    )
    certifications = models.ManyToManyField(
        Certification,
        blank=True,
        related_name="moves",
        help_text="Certifications that close the gap.",
    )
    anti_patterns = models.ManyToManyField(
        AntiPattern,
        blank=True,
        related_name="moves",
        verbose_name="anti-patterns to leave behind",
        help_text="The old role's anti-patterns people bring into the new one.",
    )
    order = models.PositiveIntegerField(default=0)

    objects = SlugManager.from_queryset(RoleMoveQuerySet)()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = "move between roles"
        verbose_name_plural = "moves between roles"
        constraints = [
            models.UniqueConstraint(
                fields=["from_role", "to_role"],
                name="unique_move_per_pair",
                violation_error_message="This move is already written.",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_role=models.F("to_role")),
                name="move_between_two_roles",
                violation_error_message="A move goes from one role to another.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_role} → {self.to_role}"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    natural_key.dependencies = ["catalog.role"]

    def clean(self) -> None:
        if self.from_role_id and self.to_role_id:
            expected = f"{self.from_role.slug}-to-{self.to_role.slug}"
            if self.slug != expected:
                raise ValidationError({"slug": f"A move's slug is “{expected}”."})

    @property
    def anchor(self) -> str:
        return f"move-{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:role-move", args=[self.from_role.slug, self.to_role.slug])


@reversion.register()
class RoleLevelCitation(Citation):
    item = models.ForeignKey(RoleLevel, on_delete=models.CASCADE, related_name="citations")


@reversion.register()
class RoleMoveCitation(Citation):
    item = models.ForeignKey(RoleMove, on_delete=models.CASCADE, related_name="citations")
