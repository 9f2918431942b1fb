"""Sign up, log in, log out: Django's own forms and views; a guest's lesson progress
moves to the account they sign up for or log in to."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.views import LoginView, RedirectURLMixin
from django.http import HttpRequest, HttpResponse
from django.views.generic import FormView

from lessons.services import progress_merge_session


def _keep_progress(request: HttpRequest, session_key: str | None) -> None:
    """Give the guest session's progress to the user who just logged in."""
    if session_key:
        progress_merge_session(session_key=session_key, user=request.user)


class SignupView(RedirectURLMixin, FormView):
    template_name = "registration/signup.html"
    form_class = UserCreationForm
    next_page = "lessons:index"

    def form_valid(self, form: UserCreationForm) -> HttpResponse:
        key = self.request.session.session_key
        user = form.save()
        login(self.request, user)
        _keep_progress(self.request, key)
        return super().form_valid(form)


class ProgressLoginView(LoginView):
    next_page = "lessons:index"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        key = self.request.session.session_key
        response = super().form_valid(form)
        _keep_progress(self.request, key)
        return response
