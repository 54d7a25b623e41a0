"""The development mailbox: without SMTP_HOST, `make run` keeps every e-mail to read here
(so whoever tries Madrina can open their confirmation link). Not found elsewhere."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.errors import NotFound
from app.events.service import mailbox
from app.templating import render
from app.web import services, settings

_LINK = re.compile(r"https?://\S+")


async def dev_mail(request: Request) -> Response:
    if settings(request).environment != "development":
        raise NotFound()
    async with services(request).db.read() as session:
        messages = await mailbox(session)
    shown = [(m, _LINK.findall(m.text)) for m in messages]
    return render(request, "accounts/dev_mail.html", {"messages": shown})


routes: list[BaseRoute] = [Route("/dev/mail", dev_mail, name="dev_mail")]
