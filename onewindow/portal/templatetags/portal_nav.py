"""``{% load portal_nav %}``: the shared navigation of ``base.html`` (see ``onewindow.portal.nav``)."""

from __future__ import annotations

from django import template

from onewindow.core.actor import Actor
from onewindow.org.actors import request_actor
from onewindow.portal import nav

register = template.Library()


def _actor(context: template.Context) -> Actor:
    request = context.get("request")
    return request_actor(request) if request is not None else Actor()


@register.simple_tag(takes_context=True)
def work_links(context: template.Context) -> list[nav.Link]:
    return nav.work_links(_actor(context))


@register.simple_tag(takes_context=True)
def account_links(context: template.Context) -> list[nav.Link]:
    return nav.account_links(_actor(context))


@register.simple_tag
def public_links() -> list[nav.Link]:
    return nav.public_links()
