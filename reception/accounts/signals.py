from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import check_for_language


@receiver(user_logged_in)
def remember_language_chosen_before_login(sender, request, user, **kwargs):
    """Choosing a language on the login page makes it the user's language."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request else None
    if chosen and check_for_language(chosen) and chosen != user.language:
        user.language = chosen
        user.save(update_fields=["language"])
