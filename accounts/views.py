"""Sign up, log in, log out: Django's own forms and views; a guest's lesson progress
moves to the account they sign up for or log in to. Both forms are throttled
(``accounts.throttle``) before any password is checked or hashed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.views import LoginView, RedirectURLMixin
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from accounts import throttle
from architect import guest_rows, guests


def _keep_progress(request: HttpRequest, session_key: str | None) -> None:
    """Give the guest session's progress and kept simulations to the user who just logged in."""
    if session_key:
        guest_rows.move_all(session_key=session_key, user=request.user)


class ThrottledFormMixin:
    """A POST whose address or account must wait gets the form back with the reason and
    status 429, before the form (and its password check) runs."""

    request: HttpRequest
    account_policy: str
    address_policy: str

    def _checks(self) -> list[tuple[throttle.Policy, str]]:
        policies = throttle.policies()
        checks = [(policies[self.address_policy], throttle.address(self.request))]
        name = throttle.account(self.request.POST.get("username"))
        if name:
            checks.append((policies[self.account_policy], name))
        return checks

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.checks = self._checks()
        wait = throttle.retry_after(self.checks)
        if wait:
            return self._throttled(wait)
        return super().post(request, *args, **kwargs)  # type: ignore[misc]

    def _throttled(self, wait: int) -> HttpResponse:
        kwargs = self.get_form_kwargs()  # type: ignore[attr-defined]
        kwargs.pop("data", None)
        kwargs.pop("files", None)
        kwargs["initial"] = {"username": str(self.request.POST.get("username", ""))[:150]}
        form = self.get_form_class()(**kwargs)  # type: ignore[attr-defined]
        context = self.get_context_data(form=form, throttled=throttle.message(wait))  # type: ignore[attr-defined]
        response: HttpResponse = self.render_to_response(context, status=429)  # type: ignore[attr-defined]
        response["Retry-After"] = str(wait)
        return response

    def _forget_account(self) -> None:
        for policy, value in self.checks:
            if policy.scope == self.account_policy:
                throttle.forget(policy, value)


class SignupView(ThrottledFormMixin, RedirectURLMixin, FormView):
    template_name = "registration/signup.html"
    form_class = UserCreationForm
    next_page = "lessons:index"
    account_policy, address_policy = "signup_account", "signup_address"

    def form_valid(self, form: UserCreationForm) -> HttpResponse:
        key = self.request.session.session_key
        user = form.save()
        login(self.request, user)
        _keep_progress(self.request, key)
        self._forget_account()
        # Every new account counts against the address: accounts are not free to mint.
        throttle.count([c for c in self.checks if c[0].scope == self.address_policy])
        return super().form_valid(form)

    def form_invalid(self, form: Form) -> HttpResponse:
        throttle.count(self.checks)
        return super().form_invalid(form)


class ProgressLoginView(ThrottledFormMixin, LoginView):
    next_page = "lessons:index"
    account_policy, address_policy = "login_account", "login_address"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        key = self.request.session.session_key
        response = super().form_valid(form)
        _keep_progress(self.request, key)
        self._forget_account()
        return response

    def form_invalid(self, form: Form) -> HttpResponse:
        throttle.count(self.checks)
        return super().form_invalid(form)


@require_POST
def keep_guest_session(request: HttpRequest) -> HttpResponse:
    """The page adopts the guest session its stage's socket created (``architect.guests``)."""
    key = guests.read_token(str(request.POST.get("token", "")))
    if key is None:
        return HttpResponse(status=400)
    guests.adopt(request, key)
    return HttpResponse(status=204)
