"""The employees' web client: pages that call the same services and selectors as the API."""

from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import user_directory, user_get, user_profile
from accounts.services import (
    api_key_set,
    follow_add,
    follow_remove,
    locale_set,
    password_reset_complete,
    password_reset_link_check,
    password_reset_request,
    profile_update,
)
from accounts.throttling import client_address, upload_throttle_check
from api.exceptions import csrf_failure as api_csrf_failure
from api.exceptions import handler404 as api_handler404
from common.errors import (
    ChirpError,
    Invalid,
    InvalidCredentials,
    NotAllowed,
    NotFound,
    RateLimited,
    Suspended,
)
from common.idempotency import fingerprint, fingerprint_file, idempotency_key_check, idempotent
from feed.cursors import feed_cursor_after, feed_cursor_ids
from feed.selectors import feed_latest_ids, latest_cursor, top_ids
from media.services import avatar_remove, avatar_set, media_create, media_delete
from moderation.services import report_check, report_create
from notifications.selectors import digest_wanted, muted_kinds, notification_page, unread_count
from notifications.services import digest_set, mutes_set, notifications_read
from notifications.wording import actors_phrase
from sso import provider as sso_provider
from tweets.search import search_parse, search_tags, search_tweet_ids
from tweets.selectors import (
    TWEET_NOT_FOUND,
    mention_suggestions,
    thread_tweets,
    trending_tags,
    tweet_edits,
    tweets_tagged,
)
from tweets.services import like_add, like_remove, tweet_create, tweet_delete, tweet_delete_check, tweet_edit
from web.auth import user_sign_in_check
from web.cards import cards_html
from web.context_processors import TIME_ZONE_COOKIE, viewer_time_zone
from web.errors import form_error_add, page_error
from web.forms import (
    AvatarForm,
    ComposeForm,
    EditForm,
    LocaleForm,
    NameForm,
    NotificationSettingsForm,
    PasswordForm,
    PasswordResetForm,
    ProfileForm,
    ReportForm,
    SearchForm,
    SetPasswordForm,
    SignInForm,
)
from web.selectors import author_tweet_cards, queryset_tweet_cards, tweet_card, tweet_cards

FEED_PAGE_SIZE = 20
PROFILE_TWEETS = 50
DIRECTORY_PAGE_SIZE = 50
NEW_API_KEY_SESSION_KEY = "web:new-api-key"
PASSWORD_RESET_SESSION_KEY = "web:password-reset-token"


def signed_in(view):
    """Signed in (else to the sign-in page) and not suspended (else signed out with the API's message)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        try:
            request.user.suspension_check()
        except Suspended as exc:
            # Suspended while signed in: signed out, with the message the API gives.
            message = page_error(exc).message
            logout(request)
            messages.error(request, message)
            return redirect("web:home")
        return view(request, *args, **kwargs)

    return wrapper


def _back(request, default: str) -> str:
    """Where a form posted from a page returns to: its `next` if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _compose_form(data=None, files=None, **kwargs) -> ComposeForm:
    return ComposeForm(data, files, max_length=settings.TWEET_MAX_LENGTH, **kwargs)


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: the API's envelope under /api/; elsewhere (pages, the admin) a page in
    Chirp's layout, as Django's own has inline styles the CSP blocks."""
    if request.path.startswith("/api/"):
        return api_csrf_failure(request, reason)
    error = page_error(NotAllowed(_("This form has expired. Reload the page and try again.")))
    return render(request, "web/error.html", {"error": error}, status=403)


@require_GET
def favicon(request):
    """Browsers (and the admin's pages, which do not name an icon) ask for /favicon.ico."""
    return redirect(static("web/favicon.svg"))


@require_GET
def service_worker(request):
    """The service worker (web/templates/web/sw.js): at the site's root, so that its scope is every
    page; never cached, so a new version reaches browsers at once."""
    response = render(request, "web/sw.js", content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    """What the service worker shows when a page cannot be loaded (it keeps a copy when installed)."""
    return render(request, "web/offline.html")


def page_not_found(request, exception=None):
    """handler404: the API's envelope under /api/; elsewhere the pages' own "not found" (also for an
    id past 64 bits, whose route does not match)."""
    if request.path.startswith("/api/"):
        return api_handler404(request, exception)
    error = page_error(NotFound())
    return render(request, "web/error.html", {"error": error}, status=error.status)


# --- Signing in and out -----------------------------------------------------------------------


@require_GET
def home(request):
    """The feed when signed in; the sign-in page otherwise."""
    if not request.user.is_authenticated:
        return render(request, "web/sign_in.html", _sign_in_context(request, form=SignInForm()))
    return feed(request)


def _sign_in_context(request, **context) -> dict[str, Any]:
    """The sign-in page's form, where to return to, and the single sign-on button when configured."""
    next_page = request.POST.get("next") or request.GET.get("next", "")
    sso = {"label": sso_provider.button_label()} if sso_provider.enabled() else None
    return {"next": next_page, "sso": sso, "local_login": settings.LOCAL_LOGIN, **context}


@require_POST
def sign_in(request):
    form = SignInForm(request.POST)
    error = None
    if form.is_valid():
        try:
            user = user_sign_in_check(
                request, login=form.cleaned_data["login"].strip(), password=form.cleaned_data["password"]
            )
        except ChirpError as exc:
            error = page_error(exc)
        else:
            # The backend that checked the password (authenticate() records it on the user).
            login(request, user)
            return redirect(_back(request, reverse("web:home")))
    context = _sign_in_context(request, form=form, error=error)
    return render(request, "web/sign_in.html", context, status=error.status if error else 400)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """ "Forgot password?": the same answer whether or not an account has the address."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_request(
                email=form.cleaned_data["email"],
                address=client_address(request),
                site=request.build_absolute_uri("/"),
            )
        except RateLimited as exc:
            error = page_error(exc)
            return render(
                request, "web/password_reset.html", {"form": form, "error": error}, status=error.status
            )
        messages.success(
            request,
            _(
                "If a Chirp account with a password has this address, an email with a link to set a new "
                "password is on its way."
            ),
        )
        return redirect("web:home")
    return render(request, "web/password_reset.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def password_reset_link(request, uid: str, token: str):
    """The link from the email: its token moves into the session, out of the address bar (and so
    out of the browser's history and any Referer), as Django's own reset view does."""
    request.session[PASSWORD_RESET_SESSION_KEY] = token
    return redirect("web:password-reset-confirm", uid=uid)


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, uid: str):
    token = request.session.get(PASSWORD_RESET_SESSION_KEY, "")
    try:
        password_reset_link_check(uid=uid, token=token)
    except InvalidCredentials as exc:
        error = page_error(exc)
        return render(request, "web/password_reset_invalid.html", {"error": error}, status=400)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_complete(uid=uid, token=token, password=form.cleaned_data["new_password"])
        except (Invalid, InvalidCredentials) as exc:
            form_error_add(form, exc, renamed={"password": "new_password"})
        else:
            request.session.pop(PASSWORD_RESET_SESSION_KEY, None)
            messages.success(request, _("Your new password is set. Sign in with it."))
            return redirect("web:home")
    status = 400 if form.errors else 200
    return render(request, "web/password_reset_confirm.html", {"form": form}, status=status)


@require_POST
def sign_out(request):
    # Signed in by the company's provider: its session ends too (RP-initiated sign-out).
    provider_sign_out = sso_provider.sign_out_url(request)
    logout(request)
    if provider_sign_out:
        return redirect(provider_sign_out)
    messages.success(request, _("You are signed out."))
    return redirect("web:home")


# --- Feed and tweets --------------------------------------------------------------------------


def _shown_ids(value: str) -> list[int]:
    """The ids a first page showed, from its "Load more" link (`after=3,2,1`); Invalid if malformed."""
    parts = value.split(",")
    if len(parts) > FEED_PAGE_SIZE or not all(part.isdigit() and len(part) < 19 for part in parts):
        raise Invalid.on_field("after", _("This link is broken; start again from the top."))
    return [int(part) for part in parts]


@signed_in
def feed(request):
    """The Top tab: the feed ranked by likes weighted by age (feed.selectors.top_ids). The first page
    reads only its own ids; its "Load more" starts a cursor snapshot (feed.cursors) that later pages
    walk: no tweet twice, none skipped."""
    cursor, after = request.GET.get("cursor", ""), request.GET.get("after")
    try:
        if cursor:
            ids, next_cursor = feed_cursor_ids(user=request.user, cursor=cursor, limit=FEED_PAGE_SIZE)
        elif after is not None:
            shown = _shown_ids(after)
            ids, next_cursor = feed_cursor_after(
                user=request.user, shown=shown, limit=FEED_PAGE_SIZE, ranking=top_ids
            )
        else:
            ids, next_cursor = top_ids(user=request.user, count=FEED_PAGE_SIZE + 1), None
    except ChirpError as exc:
        error = page_error(exc)
        if not (cursor or after):
            return render(request, "web/error.html", {"error": error}, status=error.status)
        # An expired or broken "Load more" link: back to the top of the feed, saying why.
        messages.error(request, error.message)
        return redirect("web:home")
    if cursor or after is not None:
        next_url = f"?{urlencode({'cursor': next_cursor})}" if next_cursor else ""
        # Where an action on this page returns without JavaScript: this page, not the top of Home
        # (a "Load more" part is fetched with `partial`, which the address must not keep).
        # (`after` as the first page wrote it: only digits and commas, checked by _shown_ids.)
        query = urlencode({"cursor": cursor}) if cursor else f"after={after}"
        page_url = f"{reverse('web:home')}?{query}"
    else:
        ids, more = ids[:FEED_PAGE_SIZE], ids[FEED_PAGE_SIZE:]
        next_url = f"?after={','.join(map(str, ids))}" if more else ""
        page_url = reverse("web:home")
    context: dict[str, Any] = {
        "tweets": tweet_cards(ids=ids, viewer=request.user),
        "next_url": next_url,
        "continued": bool(cursor or after),
        "page_url": page_url,
        "tab": "top",
    }
    return _feed_page(request, context)


def _feed_page(request, context: dict[str, Any]):
    if request.GET.get("partial"):
        return render(request, "web/_feed_page.html", context)
    context["trending"] = trending_tags()
    return render(request, "web/feed.html", context)


@signed_in
@require_GET
def latest(request):
    """The Latest tab: the same people's posts, newest first (the API's `order=latest`)."""
    cursor = request.GET.get("cursor", "")
    try:
        ids = feed_latest_ids(user=request.user, cursor=cursor, count=FEED_PAGE_SIZE + 1)
    except ChirpError as exc:
        messages.error(request, page_error(exc).message)
        return redirect("web:latest")
    # One more than a page: whether another follows.
    cards = tweet_cards(ids=ids, viewer=request.user)
    next_cursor = ""
    if len(cards) > FEED_PAGE_SIZE:
        last = cards[FEED_PAGE_SIZE - 1]
        next_cursor = latest_cursor(created_at=last["created"], tweet_id=last["id"])
    page_url = reverse("web:latest") + (f"?{urlencode({'cursor': cursor})}" if cursor else "")
    context: dict[str, Any] = {
        "tweets": cards[:FEED_PAGE_SIZE],
        "next_url": f"?{urlencode({'cursor': next_cursor})}" if next_cursor else "",
        "continued": bool(cursor),
        "page_url": page_url,
        "tab": "latest",
    }
    return _feed_page(request, context)


@signed_in
@require_http_methods(["GET", "POST"])
def compose(request):
    """Post a tweet: each image through the media pipeline, then the tweet service; all or nothing."""
    if request.method == "GET":
        return render(request, "web/compose.html", {"compose_form": _compose_form()})
    form = _compose_form(request.POST, request.FILES)
    # Validated only so that the services' refusals can be shown beside its fields.
    form.is_valid()
    uploads = request.FILES.getlist("images")
    text = request.POST.get("text", "")
    # One description per chosen image, in order (chirp.js puts one beside each); the page without
    # JavaScript offers a field per possible image, of which trailing empty ones are no one's.
    alts = request.POST.getlist("alts")
    while alts and not alts[-1].strip():
        alts.pop()
    uploaded = []

    def create():
        for upload in uploads:
            uploaded.append(media_create(uploader=request.user, upload=upload))
        tweet = tweet_create(
            author=request.user,
            content=text,
            media_ids=[media.pk for media in uploaded],
            in_reply_to=in_reply_to,
            media_alts=alts,
        )
        return 302, {"tweet_id": tweet.pk}

    in_reply_to = None
    try:
        if form.has_error("in_reply_to"):
            raise Invalid(" ".join(str(message) for message in form.errors["in_reply_to"]))
        in_reply_to = form.cleaned_data.get("in_reply_to")
        key = idempotency_key_check(request.POST.get("idempotency_key") or None)
        upload_throttle_check(user_id=request.user.pk, count=len(uploads))
        digest = (
            fingerprint(
                text,
                [fingerprint_file(upload) for upload in uploads],
                *([in_reply_to] if in_reply_to else []),
                *([alts] if alts else []),
            )
            if key
            else ""
        )
        idempotent(user=request.user, scope="web compose", key=key, digest=digest, create=create)
    except ChirpError as exc:
        # The tweet was refused: the images uploaded for it go with it.
        for media in uploaded:
            media_delete(media=media)
        # The form's own check may have said it already (a NUL byte): said once.
        error = form_error_add(form, exc)
        return render(
            request, "web/compose.html", {"compose_form": form, "error": error}, status=error.status
        )
    if in_reply_to:
        messages.success(request, _("Your reply is published."))
        return redirect(_back(request, reverse("web:thread", args=[in_reply_to])))
    messages.success(request, _("Your post is published."))
    return redirect("web:home")


def _tweet_action(request, tweet_id: int, action, done: str):
    try:
        action(user=request.user, tweet_id=tweet_id)
    except ChirpError as exc:
        error = page_error(exc)
        if _wants_json(request):
            return JsonResponse({"error": error.message}, status=error.status)
        messages.error(request, error.message)
        return redirect(_back(request, reverse("web:home")))
    if _wants_json(request):
        cards = tweet_cards(ids=[tweet_id], viewer=request.user)
        html = cards_html(request, cards, next_url=_back(request, "/"))
        return JsonResponse({"html": html, "message": done})
    return redirect(_back(request, reverse("web:home")))


@signed_in
@require_POST
def like(request, tweet_id: int):
    return _tweet_action(request, tweet_id, like_add, _("Liked."))


@signed_in
@require_POST
def unlike(request, tweet_id: int):
    return _tweet_action(request, tweet_id, like_remove, _("Like removed."))


@signed_in
@require_http_methods(["GET", "POST"])
def delete(request, tweet_id: int):
    """GET asks for confirmation; POST deletes. Both refuse what the service refuses (someone
    else's tweet) with the same page."""
    try:
        if request.method == "POST":
            tweet_delete(user=request.user, tweet_id=tweet_id)
        else:
            tweet_delete_check(user=request.user, tweet_id=tweet_id)
    except ChirpError as exc:
        error = page_error(exc)
        return render(request, "web/error.html", {"error": error}, status=error.status)
    if request.method == "GET":
        cards = tweet_cards(ids=[tweet_id], viewer=request.user)
        return render(request, "web/delete.html", {"tweet": cards[0], "next": _back(request, "/")})
    messages.success(request, _("Your post is deleted."))
    return redirect(_back(request, reverse("web:home")))


@signed_in
@require_http_methods(["GET", "POST"])
def report(request, tweet_id: int):
    """The report form; GET and POST refuse what the service refuses (one's own post) alike."""
    try:
        report_check(reporter=request.user, tweet_id=tweet_id)
    except ChirpError as exc:
        error = page_error(exc)
        return render(request, "web/error.html", {"error": error}, status=error.status)
    cards = tweet_cards(ids=[tweet_id], viewer=request.user)
    form = ReportForm(request.POST or None)
    context: dict[str, Any] = {"tweet": cards[0], "form": form, "next": _back(request, "/")}
    if cards[0]["reported_by_me"]:
        # One open report per person and post: a second reason would be dropped, so none is asked.
        return render(request, "web/report.html", context)
    if request.method == "POST" and form.is_valid():
        try:
            _report, created = report_create(reporter=request.user, tweet_id=tweet_id, **form.cleaned_data)
        except ChirpError as exc:
            context["error"] = page_error(exc)
            return render(request, "web/report.html", context, status=context["error"].status)
        if created:
            messages.success(request, _("Thank you: the moderators will look at this post."))
        else:
            messages.info(request, _("You reported this post already; the moderators will look at it."))
        return redirect(_back(request, reverse("web:home")))
    return render(request, "web/report.html", context, status=400 if form.errors else 200)


THREAD_REPLIES = 50
TAG_PAGE_SIZE = 20


def _error_page(request, exc: ChirpError):
    error = page_error(exc)
    return render(request, "web/error.html", {"error": error}, status=error.status)


@signed_in
@require_GET
def thread(request, tweet_id: int):
    """A post with the chain of posts it answers, its replies (a page at a time) and a reply form."""
    cursor = request.GET.get("cursor", "")
    try:
        tweets = thread_tweets(viewer=request.user, tweet_id=tweet_id, cursor=cursor, limit=THREAD_REPLIES)
    except ChirpError as exc:
        return _error_page(request, exc)
    # The chain, the post and its replies read once, with their cards, in that order (by id).
    cards = queryset_tweet_cards(tweets=tweets, viewer=request.user)
    position = next((n for n, card in enumerate(cards) if card["id"] == tweet_id), None)
    if position is None:  # hidden from this viewer
        return _error_page(request, NotFound(TWEET_NOT_FOUND))
    replies = cards[position + 1 :]
    next_cursor = str(replies[THREAD_REPLIES - 1]["id"]) if len(replies) > THREAD_REPLIES else None
    context = {
        "chain": cards[:position],
        "tweet": cards[position],
        "replies": replies[:THREAD_REPLIES],
        "next_cursor": next_cursor,
        "compose_form": _compose_form(initial={"in_reply_to": tweet_id}),
    }
    return render(request, "web/thread.html", context)


@signed_in
@require_http_methods(["GET", "POST"])
def edit(request, tweet_id: int):
    """Edit one's own post: the tweet service decides (the author only, not hidden, not empty)."""
    try:
        tweet = tweet_card(tweet_id=tweet_id, viewer=request.user)
        if not tweet["mine"]:
            raise NotAllowed(_("Only the author can edit a post."))
    except ChirpError as exc:
        return _error_page(request, exc)
    form = EditForm(request.POST or None, initial={"text": tweet["content"]})
    context: dict[str, Any] = {"tweet": tweet, "form": form, "next": _back(request, tweet["thread_url"])}
    if request.method == "POST" and form.is_valid():
        try:
            tweet_edit(user=request.user, tweet_id=tweet_id, content=form.cleaned_data["text"])
        except ChirpError as exc:
            context["error"] = error = form_error_add(form, exc, field="text")
            return render(request, "web/edit.html", context, status=error.status)
        messages.success(request, _("Your post is edited."))
        return redirect(context["next"])
    return render(request, "web/edit.html", context)


@signed_in
@require_GET
def history(request, tweet_id: int):
    """A post as it is now and the texts its edits replaced, newest first."""
    try:
        card = tweet_card(tweet_id=tweet_id, viewer=request.user)
    except ChirpError as exc:
        return _error_page(request, exc)
    # The card's read is the check that the viewer may see the post (tweet_history's).
    versions = [
        {"content": entry["content"], "replaced": datetime.fromisoformat(entry["edited_at"])}
        for entry in tweet_edits(tweet_id=tweet_id)
    ]
    return render(request, "web/history.html", {"tweet": card, "versions": versions})


@signed_in
@require_GET
def tag(request, tag: str):
    """The visible posts with a tag, newest first."""
    cursor = request.GET.get("cursor", "")
    try:
        tweets = tweets_tagged(tag=tag, cursor=cursor)
    except ChirpError as exc:
        return _error_page(request, exc)
    # The page's tweets read once, with their cards: one more than a page, whether another follows.
    cards = queryset_tweet_cards(tweets=tweets[: TAG_PAGE_SIZE + 1], viewer=request.user)
    next_cursor = str(cards[TAG_PAGE_SIZE - 1]["id"]) if len(cards) > TAG_PAGE_SIZE else None
    context = {
        "tag": tag.lower(),
        "tweets": cards[:TAG_PAGE_SIZE],
        "next_cursor": next_cursor,
        "trending": trending_tags(),
    }
    return render(request, "web/tag.html", context)


@signed_in
@require_GET
def suggest(request):
    """People to @mention, for compose's combobox: the API's GET /api/users/suggest, for the session."""
    query = request.GET.get("q", "")[:150]
    return JsonResponse({"users": mention_suggestions(query=query)})


# --- Notifications ----------------------------------------------------------------------------

NOTIFICATIONS_PAGE_SIZE = 20


@signed_in
@require_GET
def notifications(request):
    """The user's notifications, grouped, newest first (the API's GET /api/notifications); opening
    the first page marks everything up to its newest read, as it was seen."""
    cursor = request.GET.get("cursor", "")
    try:
        items, next_cursor = notification_page(
            user=request.user, cursor=cursor, limit=NOTIFICATIONS_PAGE_SIZE
        )
    except ChirpError as exc:
        messages.error(request, page_error(exc).message)
        return redirect("web:notifications")
    if items and not cursor:
        notifications_read(user=request.user, up_to=items[0]["id"])
    shown = [{**item, "who": _notification_who(item)} for item in items]
    return render(request, "web/notifications.html", {"items": shown, "next_cursor": next_cursor})


def _notification_who(item) -> str:
    """The notification's people as links to their profiles ("Ada, Bob and 2 others"), for the
    page's sentence, worded as the email words them (notifications.wording)."""
    links = [
        format_html('<a href="{}">{}</a>', reverse("web:profile", args=[actor["id"]]), actor["name"])
        for actor in item["actors"]
    ]
    # Each name is escaped by format_html; the words between them come from the catalogue.
    return mark_safe(actors_phrase(links, count=item["actors_count"]))


@signed_in
@require_GET
def notifications_unread(request):
    """The unread count the navigation polls (the API's GET /api/notifications/unread)."""
    return JsonResponse({"unread": unread_count(user=request.user)})


# --- Search ------------------------------------------------------------------------------------

SEARCH_PAGE_SIZE = 20
SEARCH_TABS = ("posts", "people", "tags")


@signed_in
@require_GET
def search_page(request):
    """The search box's page: posts (best first, the words marked), people or tags for `q`; the API's
    GET /api/search, through the same selectors."""
    q, cursor = request.GET.get("q", ""), request.GET.get("cursor", "")
    tab = request.GET.get("type", "posts")
    if tab not in SEARCH_TABS:
        tab = "posts"
    # What the box and the tabs carry on: at most what a search may be.
    shown = q[: settings.SEARCH_MAX_LENGTH]
    context: dict[str, Any] = {"q": shown, "tab": tab, "tweets": [], "tags": [], "page": None, "next_url": ""}
    context["tab_urls"] = {name: f"?{urlencode({'q': shown, 'type': name})}" for name in SEARCH_TABS}
    status = 200
    try:
        if "\x00" in q:
            raise Invalid.on_field("q", _("The search contains a character that cannot be searched."))
        next_cursor = None
        if tab == "posts":
            query = search_parse(q)
            ids, next_cursor = search_tweet_ids(query=query, cursor=cursor, limit=SEARCH_PAGE_SIZE)
            cards = tweet_cards(ids=ids, viewer=request.user)
            for card in cards:
                card["highlight"] = query.highlight
            context["tweets"] = cards
        elif tab == "people":
            search_parse(q)  # the same length limit as the other tabs
            if q.strip():
                users = user_directory(viewer=request.user, search=q, colleagues_only=True)
                context["page"] = Paginator(users, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
                context["page_query"] = f"{urlencode({'q': q, 'type': 'people'})}&"
        else:
            context["tags"], next_cursor = search_tags(text=q, cursor=cursor, limit=SEARCH_PAGE_SIZE)
        if next_cursor:
            context["next_url"] = f"?{urlencode({'q': q, 'type': tab, 'cursor': next_cursor})}"
    except ChirpError as exc:
        error = page_error(exc)
        context["error"], status = error.message, error.status
    return render(request, "web/search.html", context, status=status)


# --- People -----------------------------------------------------------------------------------


@signed_in
@require_GET
def directory(request):
    """The colleague directory (the API's `GET /api/users`), searchable by name."""
    form = SearchForm(request.GET)
    search = form.cleaned_data["q"].strip() if form.is_valid() else ""
    users = user_directory(viewer=request.user, search=search, colleagues_only=True)
    page = Paginator(users, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "search": search, "page_query": f"{urlencode({'q': search})}&"}
    return render(request, "web/directory.html", context)


@signed_in
@require_GET
def profile(request, user_id: int):
    try:
        person = user_get(user_id=user_id)
    except ChirpError as exc:
        error = page_error(exc)
        return render(request, "web/error.html", {"error": error}, status=error.status)
    lists = user_profile(user=person)
    context = {
        "person": person,
        "followers": lists["followers"],
        "following": lists["following"],
        "followed_by_me": any(entry["id"] == request.user.pk for entry in lists["followers"]),
        "tweets": author_tweet_cards(author_id=person.pk, viewer=request.user, limit=PROFILE_TWEETS),
    }
    return render(request, "web/profile.html", context)


def _follow_action(request, user_id: int, action, following: bool, done: str):
    try:
        action(follower=request.user, followee_id=user_id)
    except ChirpError as exc:
        error = page_error(exc)
        if _wants_json(request):
            return JsonResponse({"error": error.message}, status=error.status)
        messages.error(request, error.message)
        return redirect(_back(request, reverse("web:profile", args=[user_id])))
    if _wants_json(request):
        # followers_count is user_directory's annotation, which the stubs cannot see.
        row = user_directory(viewer=request.user).filter(pk=user_id).values("followers_count").first()  # type: ignore[misc]
        count = row["followers_count"] if row else 0
        label = ngettext("%(n)s follower", "%(n)s followers", count) % {"n": count}
        return JsonResponse(
            {"following": following, "followers_count": count, "followers_label": label, "message": done}
        )
    return redirect(_back(request, reverse("web:profile", args=[user_id])))


@signed_in
@require_POST
def follow(request, user_id: int):
    return _follow_action(request, user_id, follow_add, True, _("Following."))


@signed_in
@require_POST
def unfollow(request, user_id: int):
    return _follow_action(request, user_id, follow_remove, False, _("Unfollowed."))


# --- Settings ---------------------------------------------------------------------------------


def _settings_page(request, status: int = 200, **context):
    context.setdefault("name_form", NameForm(initial={"name": request.user.name}))
    context.setdefault(
        "locale_form",
        LocaleForm(
            initial={
                "language": request.user.language or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
                "time_zone": viewer_time_zone(request),
            }
        ),
    )
    context.setdefault("password_form", PasswordForm())
    person = request.user
    initial = {"title": person.title, "department": person.department, "bio": person.bio}
    context.setdefault("profile_form", ProfileForm(initial=initial))
    context.setdefault("avatar_form", AvatarForm())
    context.setdefault(
        "notification_form",
        NotificationSettingsForm(
            initial={"muted": muted_kinds(user=person), "digest": digest_wanted(user=person)}
        ),
    )
    return render(request, "web/settings.html", context, status=status)


@signed_in
@require_GET
def settings_page(request):
    # A key made by the rotation just before is shown on this one page view, then forgotten.
    # Not stored by any cache either, as no signed-in page is (web.middleware.PrivatePagesMiddleware).
    key = request.session.pop(NEW_API_KEY_SESSION_KEY, None)
    return _settings_page(request, new_api_key=key)


def _settings_submit(request, form_name: str, form, save, done: str, **placing):
    """The one way a Settings form is submitted. An invalid form comes back with a 400; otherwise
    `save(cleaned_data)` calls the services, and a domain error they raise goes on the form
    (form_error_add, `placing` says where) at its status. Then `done` as a message and back to
    Settings, or to the response `save` returned. `done` is translated after `save` (which may
    change the language)."""
    if not form.is_valid():
        return _settings_page(request, 400, **{form_name: form})
    try:
        response = save(form.cleaned_data)
    except ChirpError as exc:
        error = form_error_add(form, exc, **placing)
        return _settings_page(request, error.status, **{form_name: form})
    messages.success(request, _(done))
    return response or redirect("web:settings")


@signed_in
@require_POST
def settings_name(request):
    def save(data):
        profile_update(user=request.user, name=data["name"])

    done = gettext_noop("Your display name is changed.")
    return _settings_submit(request, "name_form", NameForm(request.POST), save, done, field="name")


@signed_in
@require_POST
def settings_notifications(request):
    """Muted kinds of notification and the daily email."""

    def save(data):
        mutes_set(user=request.user, kinds=data["muted"])
        digest_set(user=request.user, enabled=data["digest"])

    form = NotificationSettingsForm(request.POST)
    done = gettext_noop("Your notification settings are saved.")
    return _settings_submit(request, "notification_form", form, save, done)


@signed_in
@require_POST
def settings_locale(request):
    """The language and time zone, stored on the account (every device follows them) and in this
    browser's cookies (the pages before sign-in); empty: the browser's own."""

    def save(data):
        language, time_zone = data["language"], data["time_zone"]
        locale_set(user=request.user, language=language, time_zone=time_zone)
        if language:
            translation.activate(language)
        response = redirect("web:settings")
        for name, value in ((settings.LANGUAGE_COOKIE_NAME, language), (TIME_ZONE_COOKIE, time_zone)):
            if value:
                response.set_cookie(
                    name,
                    value,
                    max_age=365 * 24 * 3600,
                    samesite="Lax",
                    secure=request.is_secure(),
                    httponly=True,
                )
            else:
                response.delete_cookie(name)
        return response

    done = gettext_noop("Your language and time zone are saved.")
    return _settings_submit(request, "locale_form", LocaleForm(request.POST), save, done)


@signed_in
@require_POST
def settings_profile(request):
    def save(data):
        profile_update(user=request.user, **data)

    done = gettext_noop("Your profile is saved.")
    return _settings_submit(request, "profile_form", ProfileForm(request.POST), save, done)


@signed_in
@require_POST
def settings_avatar(request):
    """Upload a photo (through the media pipeline), or remove it (`remove`): back to the initials."""
    if request.POST.get("remove"):
        avatar_remove(user=request.user)
        messages.success(request, _("Your photo is removed."))
        return redirect("web:settings")

    def save(data):
        upload_throttle_check(user_id=request.user.pk)
        avatar_set(user=request.user, upload=data["photo"])

    form = AvatarForm(request.POST, request.FILES)
    done = gettext_noop("Your photo is saved.")
    return _settings_submit(request, "avatar_form", form, save, done, field="photo")


@signed_in
@require_POST
def settings_password(request):
    def save(data):
        profile_update(
            user=request.user, password=data["new_password"], current_password=data["current_password"]
        )
        # This session stays signed in; the others (and the JWTs) end.
        update_session_auth_hash(request, request.user)

    form = PasswordForm(request.POST)
    done = gettext_noop("Your password is changed.")
    return _settings_submit(request, "password_form", form, save, done, renamed={"password": "new_password"})


@signed_in
@require_http_methods(["GET", "POST"])
def settings_api_key(request):
    """GET asks for confirmation (the old key stops working); POST makes a new api key, shown on the
    next page view only (a reload of it does not make another key)."""
    if request.method == "GET":
        return render(request, "web/api_key.html")
    request.session[NEW_API_KEY_SESSION_KEY] = api_key_set(user=request.user)
    # New credentials end the other sessions (User.get_session_auth_hash); this one stays.
    update_session_auth_hash(request, request.user)
    return redirect("web:settings")
