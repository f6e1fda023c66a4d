"""Events with sessions, agenda, participant groups and invitations for calendar and invitation tests."""

import datetime as dt
from zoneinfo import ZoneInfo

from core.text import clean_text
from events.models import AgendaItem, Event, Invitation, JitsiRoom, ParticipantGroup, Session

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(hour: int, minute: int = 0, day: int = 15) -> dt.datetime:
    return dt.datetime(2030, 3, day, hour, minute, tzinfo=TZ)


def make_event(tree, tiers, *, title="Lễ phát động “Bình dân học vụ số”", status=Event.Status.PUBLISHED,
               invite=("BS-S1", "BS-S2"), day: int = 15) -> Event:
    host = tree["host"]
    if not host.address:
        host.address = "52 Hùng Vương, TP. Quảng Ngãi"
        host.save()
    event = Event.objects.create(
        title=clean_text(title), host=host, status=status, starts_at=at(8, day=day), ends_at=at(11, 30, day=day),
        description="Tập huấn kỹ năng số cho giáo viên toàn tỉnh.",
    )
    session = Session.objects.create(event=event, title="Lễ phát động", starts_at=at(8, day=day),
                                     ends_at=at(9, 30, day=day))
    AgendaItem.objects.create(session=session, order=1, starts_at=at(8, day=day), ends_at=at(8, 15, day=day),
                              title="Khai mạc, giới thiệu đại biểu", speaker="Ban tổ chức")
    AgendaItem.objects.create(session=session, order=2, starts_at=at(8, 15, day=day), ends_at=at(9, day=day),
                              title="Phát biểu chỉ đạo", speaker="Phó Chủ tịch UBND tỉnh")
    ParticipantGroup.objects.create(event=event, tier=tiers["school"],
                                    description="Hiệu trưởng và toàn thể giáo viên của trường")
    room = JitsiRoom.objects.create(event=event, name="phong-1", label="Phòng 1 – Bình Sơn")
    for code in invite:
        Invitation.objects.create(event=event, bridge=tree[code], room=room)
    return event
