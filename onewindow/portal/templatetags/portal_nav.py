"""``{% load portal_nav %}``: the shared navigation of ``base.html`` (see ``onewindow.portal.nav``)."""

from __future__ import annotations

from django import template

from onewindow.portal import nav

register = template.Library()


@register.simple_tag(takes_context=True)
def work_links(context: template.Context) -> list[nav.Link]:
    request = context.get("request")
    return nav.work_links(getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def account_links(context: template.Context) -> list[nav.Link]:
    request = context.get("request")
    return nav.account_links(getattr(request, "user", None))


@register.simple_tag
def public_links() -> list[nav.Link]:
    return nav.public_links()
