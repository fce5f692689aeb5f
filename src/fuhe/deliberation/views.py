"""Thin views of deliberation: each validates, calls one service or selector, renders (POST → redirect)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuhe.accounts.models import User
from fuhe.deliberation import selectors, services
from fuhe.deliberation.core.procedure import ORDER, REJECTED, Step, next_step
from fuhe.deliberation.models import BodyKind, ItemKind, MeetingMode, Proposal
from fuhe.deliberation.rules import can_assist, can_manage, is_eligible_voter, lives_in
from fuhe.org.models import Region
from fuhe.resources.models import ResourceKind
from fuhe.ui.errors import error_text

ATTRIBUTE_LABELS = {
    "area": gettext_lazy("area (grid)"),
    "age_band": gettext_lazy("age band"),
    "gender": gettext_lazy("gender"),
    "assisted": gettext_lazy("how they took part"),
}
VALUE_LABELS = {
    "male": gettext_lazy("male"),
    "female": gettext_lazy("female"),
    "unknown": gettext_lazy("not on file"),
    "assisted": gettext_lazy("through an assistant"),
    "unassisted": gettext_lazy("themselves"),
    "under_18": gettext_lazy("under 18"),
    "18_34": "18–34",
    "35_59": "35–59",
    "60_74": "60–74",
    "75_plus": gettext_lazy("75 and over"),
}


def _require_view(request) -> None:
    if not request.user.has_perm("deliberation.view"):
        raise PermissionDenied


def _run(request, action, **kwargs):
    """Call one service; its refusal becomes the page's error message (nothing was written)."""
    try:
        result = action(actor=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return None
    messages.success(request, _("Saved."))
    return result


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        for part in str(value).split(","):
            if part.strip().isdigit():
                ids.append(int(part))
    return ids


def _moment(value: str) -> datetime | None:
    parsed = parse_datetime(value or "")
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _region(request, user, value) -> Region | None:
    regions = selectors.region_choices(user=user)
    try:
        return regions.get(pk=int(value))
    except (Region.DoesNotExist, TypeError, ValueError):
        return None


def _person(value) -> User | None:
    return selectors.person_or_none(value)


@login_required
def index(request):
    _require_view(request)
    user = request.user
    manages = user.has_perm("deliberation.manage_any")
    context = {
        "topics": selectors.topic_list(user=user)[:50],
        "meetings": selectors.meeting_list(user=user)[:50],
        "bodies": selectors.body_list(user=user),
        "matters": selectors.village_matter_list(user=user)[:50],
        "proposals": selectors.proposal_list(user=user)[:50],
        "regions": selectors.region_choices(user=user),
        "manages": manages,
        "body_kinds": BodyKind.choices,
        "clusters": selectors.case_clusters(user=user)[:10] if manages else [],
        "gaps": selectors.resource_gaps(user=user)[:10] if manages else [],
    }
    return render(request, "deliberation/index.html", context)


@login_required
def topic_new(request):
    _require_view(request)
    if request.method == "POST":
        topic = _run(
            request,
            services.topic_raise,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            region=_region(request, request.user, request.POST.get("region")),
            case_ids=_ids(request.POST.getlist("cases")),
            demand_ids=_ids(request.POST.getlist("demands")),
        )
        if topic is not None:
            return redirect("deliberation:topic", topic_id=topic.pk)
    source = request.POST if request.method == "POST" else request.GET
    context = {
        "regions": selectors.region_choices(user=request.user),
        "region_id": _ids([source.get("region", "")])[:1],
        "case_ids": ",".join(map(str, _ids(source.getlist("cases")))),
        "demand_ids": ",".join(map(str, _ids(source.getlist("demands")))),
        "title": source.get("title", ""),
    }
    return render(request, "deliberation/topic_new.html", context, status=400 if request.method == "POST" else 200)


@login_required
def topic_detail(request, topic_id: int):
    _require_view(request)
    topic = selectors.topic_get(user=request.user, topic_id=topic_id)
    if request.method == "POST":
        person = _person(request.POST.get("person")) if request.POST.get("person") else None
        _run(request, services.view_record, topic=topic, text=request.POST.get("text", ""), person=person)
        return redirect("deliberation:topic", topic_id=topic.pk)
    assists = can_assist(request.user, topic.region) or request.user.has_perm("deliberation.assist", topic.region)
    context = {
        "topic": topic,
        "evidence": selectors.topic_evidence(user=request.user, topic=topic),
        "agenda_items": topic.agenda_items.select_related("meeting", "meeting__body"),
        "views": topic.views.select_related("person", "assistant"),
        "may_give_view": lives_in(request.user, topic.region),
        "assists": assists,
        "residents": selectors.residents_of(user=request.user, region=topic.region) if assists else [],
    }
    return render(request, "deliberation/topic.html", context)


@login_required
@require_POST
def body_new(request):
    _require_view(request)
    body = _run(
        request,
        services.body_create,
        name=request.POST.get("name", ""),
        kind=request.POST.get("kind", ""),
        region=_region(request, request.user, request.POST.get("region")),
    )
    return redirect("deliberation:body", body_id=body.pk) if body else redirect("deliberation:index")


@login_required
def body_detail(request, body_id: int):
    _require_view(request)
    body = selectors.body_get(user=request.user, body_id=body_id)
    manages = can_manage(request.user, body.region)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied
        person = _person(request.POST.get("person"))
        if request.POST.get("verb") == "verify":
            _run(request, services.resident_verify, person=person, region=body.region)
        elif request.POST.get("verb") == "remove":
            _run(request, services.body_member_remove, body=body, person=person)
        else:
            _run(request, services.body_member_add, body=body, person=person)
        return redirect("deliberation:body", body_id=body.pk)
    return render(request, "deliberation/body.html", _body_context(request, body, manages=manages))


def _body_context(request, body, *, manages: bool, register_errors: list[str] | None = None) -> dict:
    return {
        "body": body,
        "manages": manages,
        "members": body.memberships.select_related("user").order_by("user__display_name"),
        "residents": selectors.residents_of(user=request.user, region=body.region) if manages else [],
        "member_ids": selectors.member_ids(body=body),
        "verified": selectors.verified_ids(region=body.region),
        "registered": selectors.register_ids(user=request.user, region=body.region) if manages else set(),
        "register": selectors.register_in_force(region=body.region) if manages else None,
        "register_errors": register_errors or [],
        "meetings": body.meetings.all()[:20],
        "waiting": selectors.agenda_waiting(body=body),
        "topics": selectors.topics_without_meeting(body=body),
        "modes": MeetingMode.choices,
    }


@login_required
@require_POST
def register_import(request, body_id: int):
    """Upload the community's or village's household register from the body's page: every row checked first; the
    page lists each wrong row (nothing imported) or says how many people the register now holds."""
    _require_view(request)
    body = selectors.body_get(user=request.user, body_id=body_id)
    if not can_manage(request.user, body.region):
        raise PermissionDenied
    upload = request.FILES.get("file")
    errors: list[str] = []
    if upload is None:
        errors = [_("Choose the register's file (.xlsx or .csv).")]
    else:
        try:
            result = services.household_register_import(
                actor=request.user, region=body.region, file=upload, filename=upload.name
            )
        except services.RegisterImportError as error:
            errors = error.messages
        except ValidationError as error:
            errors = [error_text(error, with_fields=False)]
        else:
            messages.success(
                request,
                _("The household register now lists %(people)s people (it listed %(before)s).")
                % {"people": result.people, "before": result.replaced},
            )
            return redirect(f"{reverse('deliberation:body', args=[body.pk])}#register")
    context = _body_context(request, body, manages=True, register_errors=errors)
    return render(request, "deliberation/body.html", context, status=400)


@login_required
@require_POST
def meeting_new(request, body_id: int):
    _require_view(request)
    body = selectors.body_get(user=request.user, body_id=body_id)
    topics = selectors.topics_without_meeting(body=body).filter(pk__in=_ids(request.POST.getlist("topics")))
    waiting = selectors.agenda_waiting(body=body).filter(pk__in=_ids(request.POST.getlist("items")))
    meeting = _run(
        request,
        services.meeting_schedule,
        body=body,
        title=request.POST.get("title", ""),
        mode=request.POST.get("mode", ""),
        starts_at=_moment(request.POST.get("starts_at", "")),
        place=request.POST.get("place", ""),
        topics=list(topics),
        agenda_items=list(waiting),
    )
    return (
        redirect("deliberation:meeting", meeting_id=meeting.pk)
        if meeting
        else redirect("deliberation:body", body_id=body.pk)
    )


@login_required
def meeting_detail(request, meeting_id: int):
    _require_view(request)
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    manages = can_manage(request.user, meeting.body.region)
    context = {
        "meeting": meeting,
        "manages": manages,
        "quorum": services.meeting_quorum(meeting),
        "agenda": meeting.agenda.select_related("topic", "proposal").order_by("position", "pk"),
        "attendance": meeting.attendance.select_related("user", "recorded_by").order_by("user__display_name"),
        "members": meeting.body.memberships.select_related("user").order_by("user__display_name") if manages else [],
        "present_ids": set(meeting.attendance.values_list("user_id", flat=True)),
        "resolutions": meeting.resolutions.select_related("agenda_item"),
        "resolved_items": set(meeting.resolutions.values_list("agenda_item_id", flat=True)),
    }
    return render(request, "deliberation/meeting.html", context)


@login_required
@require_POST
def meeting_act(request, meeting_id: int):
    _require_view(request)
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    verb = request.POST.get("verb")
    if verb == "invite":
        _run(request, services.meeting_invite, meeting=meeting)
    elif verb == "attendance":
        people = selectors.people_by_ids(_ids(request.POST.getlist("people")))
        _run(request, services.attendance_record, meeting=meeting, people=people)
    elif verb == "minutes":
        _run(request, services.minutes_save, meeting=meeting, text=request.POST.get("minutes", ""))
    elif verb == "resolve":
        item = meeting.agenda.filter(pk__in=_ids([request.POST.get("agenda_item", "")])).first()
        if item is None:
            raise Http404
        resolution = _run(
            request,
            services.resolution_adopt,
            meeting=meeting,
            agenda_item=item,
            text=request.POST.get("text", ""),
            in_favour=request.POST.get("in_favour"),
            against=request.POST.get("against"),
            abstaining=request.POST.get("abstaining"),
        )
        if resolution is not None:
            return redirect("deliberation:resolution", resolution_id=resolution.pk)
    return redirect("deliberation:meeting", meeting_id=meeting.pk)


@login_required
def resolution_detail(request, resolution_id: int):
    _require_view(request)
    resolution = selectors.resolution_get(user=request.user, resolution_id=resolution_id)
    manages = can_manage(request.user, resolution.meeting.body.region)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied
        owner = (
            selectors.units_for_items(user=request.user).filter(pk__in=_ids([request.POST.get("owner", "")])).first()
        )
        due = parse_date(request.POST.get("due_on", "") or "")
        _run(
            request,
            services.resolution_item_bind,
            resolution=resolution,
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            owner=owner,
            due_at=due,
            resource_kind=request.POST.get("resource_kind") or ResourceKind.SERVICE,
            latitude=request.POST.get("latitude") or None,
            longitude=request.POST.get("longitude") or None,
        )
        return redirect("deliberation:resolution", resolution_id=resolution.pk)
    items = selectors.resolution_items(resolution=resolution)
    openable_cases, openable_tasks = selectors.openable_work(user=request.user, items=items)
    context = {
        "resolution": resolution,
        "items": items,
        "openable_cases": openable_cases,
        "openable_tasks": openable_tasks,
        "status": selectors.resolution_progress(resolution=resolution),
        "manages": manages,
        "kinds": ItemKind.choices,
        "resource_kinds": ResourceKind.choices,
        "units": selectors.units_for_items(user=request.user) if manages else [],
    }
    return render(request, "deliberation/resolution.html", context)


def public_resolution(request, resolution_id: int):
    """决议公开: the resolution, its tally and each item's derived progress, with no person named."""
    resolution = selectors.public_resolution_get(resolution_id=resolution_id)
    context = {
        "resolution": resolution,
        "items": selectors.resolution_items(resolution=resolution),
        "status": selectors.resolution_progress(resolution=resolution),
    }
    return render(request, "deliberation/public_resolution.html", context)


@login_required
@require_POST
def village_new(request):
    _require_view(request)
    matter = _run(
        request,
        services.village_matter_create,
        title=request.POST.get("title", ""),
        description=request.POST.get("description", ""),
        region=_region(request, request.user, request.POST.get("region")),
    )
    return redirect("deliberation:village", matter_id=matter.pk) if matter else redirect("deliberation:index")


@login_required
def village_detail(request, matter_id: int):
    _require_view(request)
    matter = selectors.village_matter_get(user=request.user, matter_id=matter_id)
    if request.method == "POST":
        _run(
            request,
            services.village_step_record,
            matter=matter,
            step=request.POST.get("step", ""),
            held_on=parse_date(request.POST.get("held_on", "") or ""),
            participants=request.POST.get("participants", ""),
            participant_count=request.POST.get("participant_count"),
            content=request.POST.get("content", ""),
            is_rejection=request.POST.get("is_rejection") == "on",
        )
        return redirect("deliberation:village", matter_id=matter.pk)
    context = {
        "matter": matter,
        "steps": selectors.village_step_rows(matter=matter),
        "next": next_step(matter.state),
        "all_steps": [(step.value, step.zh) for step in ORDER],
        "manages": can_manage(request.user, matter.region),
        "rejected": matter.state == REJECTED,
        "today": timezone.localdate(),
    }
    return render(request, "deliberation/village.html", context)


def public_village(request, matter_id: int, publication: str):
    """决议公开 / 实施结果公开: shown once that step is recorded; dates, counts and content, no names."""
    if publication not in ("decision", "results"):
        raise Http404("No such publication")
    matter = selectors.public_village_matter_get(matter_id=matter_id)
    wanted = Step.DECISION_PUBLISHED if publication == "decision" else Step.RESULTS_PUBLISHED
    published = matter.steps.filter(step=wanted).first()
    if published is None:
        raise Http404("Not published")
    shown = [s for s in matter.steps.all() if publication == "results" or s.step != Step.RESULTS_PUBLISHED]
    context = {"matter": matter, "steps": shown, "published": published, "publication": publication}
    return render(request, "deliberation/public_village.html", context)


@login_required
@require_POST
def proposal_new(request, body_id: int):
    _require_view(request)
    body = selectors.body_get(user=request.user, body_id=body_id)
    proposal = _run(
        request,
        services.proposal_submit,
        body=body,
        title=request.POST.get("title", ""),
        text=request.POST.get("text", ""),
    )
    return redirect("deliberation:proposal", proposal_id=proposal.pk) if proposal else redirect("deliberation:index")


@login_required
def proposal_detail(request, proposal_id: int):
    _require_view(request)
    proposal = selectors.proposal_get(user=request.user, proposal_id=proposal_id)
    if request.method == "POST":
        verb = request.POST.get("verb")
        if verb == "comment":
            _run(request, services.proposal_comment, proposal=proposal, text=request.POST.get("text", ""))
        elif verb == "feasibility":
            _run(request, services.proposal_feasibility, proposal=proposal, note=request.POST.get("note", ""))
        elif verb == "reject":
            _run(request, services.proposal_reject, proposal=proposal, reason=request.POST.get("reason", ""))
        elif verb == "vote":
            voter = _person(request.POST.get("voter")) if request.POST.get("voter") else None
            _run(request, services.proposal_vote, proposal=proposal, voter=voter)
        return redirect("deliberation:proposal", proposal_id=proposal.pk)
    manages = can_manage(request.user, proposal.region)
    assists = request.user.has_perm("deliberation.assist", proposal.region)
    context = {
        "proposal": proposal,
        "comments": selectors.proposal_comments(proposal=proposal),
        "manages": manages,
        "assists": assists,
        "residents": selectors.residents_of(user=request.user, region=proposal.region) if assists else [],
        "may_vote": proposal.status == Proposal.Status.VOTING,
        "is_eligible": is_eligible_voter(request.user, proposal.region),
        "agenda_item": getattr(proposal, "agenda_item", None),
    }
    return render(request, "deliberation/proposal.html", context)


def public_proposal(request, proposal_id: int):
    """A proposal's outcome, public: on the agenda, or rejected with the published reason (no author named)."""
    proposal = selectors.public_proposal_get(proposal_id=proposal_id)
    return render(request, "deliberation/public_proposal.html", {"proposal": proposal})


@login_required
def inclusion(request):
    _require_view(request)
    region = _region(request, request.user, request.GET.get("region"))
    if region is not None and not request.user.has_perm("deliberation.manage", region):
        region = None
    report = selectors.inclusion_report(region=region) if region else None
    context = {
        "regions": [r for r in selectors.region_choices(user=request.user) if can_manage(request.user, r)],
        "report": report,
        "rows": [
            {
                "cell": cell,
                "attribute": ATTRIBUTE_LABELS.get(cell.attribute, cell.attribute),
                "value": VALUE_LABELS.get(cell.value, cell.value),
            }
            for cell in (report.cells if report else [])
        ],
    }
    return render(request, "deliberation/inclusion.html", context)
