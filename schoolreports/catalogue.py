"""The report forms shipped with the product, copied into an editable form (services.copy_template):
the device-needs grid of "Sóng và máy tính cho em", the online-teaching readiness review (pre-filled
from the school's readiness test and bridge record), and the replication results after a training.

Labels are written in the language active when the copy is made (Vietnamese by default): a copy is
the province's own data from then on.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import definition as d

TEMPLATES = {
    "device_needs": gettext_lazy("Pupils without a device for online learning"),
    "online_readiness": gettext_lazy("Online-teaching readiness review"),
    "replication": gettext_lazy("Results of replicating the training"),
}


def _options(*pairs) -> list[dict]:
    return [{"key": key, "label": label} for key, label in pairs]


def levels() -> list[dict]:
    return _options(("tieu_hoc", _("Primary school")), ("thcs", _("Lower secondary school")),
                    ("thpt", _("Upper secondary school")), ("gdnn_gdtx", _("Vocational and continuing education")))


def categories() -> list[dict]:
    return _options(("ho_ngheo", _("Poor household")), ("ho_can_ngheo", _("Near-poor household")),
                    ("mo_coi_covid", _("Parent died of COVID-19")), ("kho_khan_khac", _("Other hardship")))


def _field(key, kind, label, **extra) -> dict:
    return {"key": key, "type": kind, "label": label, "help": "", "required": False, **extra}


def device_needs() -> dict:
    return {"sections": [
        {"key": "thiet_bi", "title": _("Pupils without a device for online learning"),
         "help": _("Count each pupil once, under their level and the household's situation."), "fields": [
             _field("so_hs_khong_thiet_bi", d.GRID, _("Pupils without a device, by level and category"),
                    required=True, min=0, max=5000, rows=levels(), columns=categories(), total_equals="tong_so_hs",
                    help=_("0 where there is none.")),
             _field("tong_so_hs", d.INTEGER, _("Total pupils without a device"), required=True, min=0,
                    help=_("Must equal the total of the grid above.")),
         ]},
        {"key": "uu_tien", "title": _("Priority list"), "help": "", "fields": [
            _field("danh_sach_uu_tien", d.TEXT, _("Pupils to receive a device first (name, class, reason)"),
                   help=_("One pupil per line.")),
        ]},
    ]}


def online_readiness() -> dict:
    platforms = _options(("vnedu", "vnEdu"), ("k12online", "K12Online"), ("ms_teams", "Microsoft Teams"),
                         ("google_meet", "Google Meet"), ("zoom", "Zoom"), ("khac", _("Other")))
    return {"sections": [
        {"key": "ha_tang", "title": _("Internet and devices"), "help": "", "fields": [
            _field("duong_truyen", d.TEXT, _("Internet line (provider and speed)"), required=True,
                   prefill="internet_line"),
            _field("toc_do_tai", d.DECIMAL, _("Download speed measured (Mbit/s)"), min=0, prefill="download_mbps",
                   help=_("From the console's readiness test, where it was run.")),
            _field("kiem_tra_dat", d.YES_NO, _("The readiness test passed"), prefill="readiness_passed"),
            _field("co_camera", d.YES_NO, _("The school has a camera for the bridge"), prefill="camera_ok"),
        ]},
        {"key": "tai_khoan", "title": _("Accounts and platform"), "help": "", "fields": [
            _field("tong_gv", d.INTEGER, _("Teachers at the school"), required=True, min=0, prefill="roster"),
            _field("gv_co_tai_khoan", d.INTEGER, _("Teachers given an account"), required=True, min=0,
                   max_from=d.ROSTER),
            _field("hs_co_tai_khoan", d.INTEGER, _("Pupils given an account"), required=True, min=0),
            _field("nen_tang", d.MULTI_CHOICE, _("Learning platforms in use"), required=True, choices=platforms),
            _field("gv_da_tap_huan", d.INTEGER, _("Teachers trained to teach online"), required=True, min=0,
                   max_from=d.ROSTER),
        ]},
    ]}


def replication() -> dict:
    return {"sections": [
        {"key": "ket_qua", "title": _("Results of replicating the training"),
         "help": _("What the school did with the training by the deadline."), "fields": [
             _field("hs_duoc_tap_huan", d.INTEGER, _("Students trained"), required=True, min=0, max=5000,
                    max_field="so_hs_truong", positive_when="so_lop"),
             _field("so_lop", d.INTEGER, _("Classes held"), required=True, min=0, max=500),
             _field("gv_huong_dan", d.INTEGER, _("Teachers who led them"), required=True, min=0, max_from=d.ROSTER),
             _field("so_hs_truong", d.INTEGER, _("Students at the school"), min=0,
                    help=_("If given, the students trained may not exceed it.")),
             _field("ngay_hoan_thanh", d.DATE, _("Date finished")),
             _field("ghi_chu", d.TEXT, _("Notes")),
             _field("tai_lieu", d.FILE, _("Attachment"),
                    help=_("A report, minutes or photos (PDF, pictures, office documents; 5 MB at most).")),
         ]},
    ]}


BUILDERS = {"device_needs": device_needs, "online_readiness": online_readiness, "replication": replication}


def template(key: str) -> tuple[str, dict] | None:
    """(title, definition) of a shipped template in the active language, or None."""
    if key not in BUILDERS:
        return None
    return str(TEMPLATES[key]), d.clean_definition(BUILDERS[key]())
