from __future__ import annotations

from django.contrib.auth.models import Group, User


def editor(username: str = "ed") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return User.objects.get(pk=user.pk)  # fresh permission cache


def chief(username: str = "chief") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Chief editors"))
    return User.objects.get(pk=user.pk)
