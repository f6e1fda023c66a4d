"""Export one school-report round: the annex workbook (.xlsx) or, for a .csv name, the machine CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bridges.models import Bridge, Tier
from reports.school_report_export import Heading, csv_bytes, workbook_bytes
from schoolreports.models import ReportRound
from schoolreports.rollup import rollup


class Command(BaseCommand):
    help = "Export a school-report round: manage.py export_school_report ROUND_ID --out FILE.xlsx [--district CODE]"

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)
        parser.add_argument("--out", required=True, help="FILE.xlsx (the annex workbook) or FILE.csv")
        parser.add_argument("--district", help="an intermediate bridge's code: only its schools")
        parser.add_argument("--issuer", default="", help="the title block's issuer, lines separated by |")
        parser.add_argument("--place", default="", help="the place of the date line, e.g. Quảng Ngãi")
        parser.add_argument("--signer-title", default="")
        parser.add_argument("--signer-name", default="")

    def handle(self, *args, round_id, out, district=None, issuer="", place="", signer_title="", signer_name="",
               **options):
        round_ = ReportRound.objects.select_related("version", "form").filter(pk=round_id).first()
        if round_ is None:
            raise CommandError(f"No school-report round {round_id}.")
        scope_path, scope_name = None, ""
        if district:
            unit = Bridge.objects.filter(code=district, tier__role=Tier.Role.INTERMEDIATE).first()
            if unit is None:
                raise CommandError(f"No district with the code {district}.")
            scope_path, scope_name = unit.path, unit.name
        state = rollup(round_, scope_path)
        path = Path(out)
        if path.suffix.lower() == ".csv":
            data = csv_bytes(state)
        else:
            data = workbook_bytes(state, Heading(issuer=issuer.replace("|", "\n"), place=place,
                                                 signer_title=signer_title, signer_name=signer_name,
                                                 scope=scope_name))
        path.write_bytes(data)
        self.stdout.write(f"{path}: {len(state.schools)} schools, {state.total.submitted} answered, "
                          f"{len(data)} bytes")
