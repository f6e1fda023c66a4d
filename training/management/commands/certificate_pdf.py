from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from training import services
from training.certificate_pdf import certificate_pdf
from training.codes import BadCheckCharacter, MalformedCode


class Command(BaseCommand):
    help = "Write the PDF of the certificate with this verification code to a file."

    def add_arguments(self, parser):
        parser.add_argument("code", help="Verification code, e.g. ABCD-EFGH-JKMN-P")
        parser.add_argument("out", help="Output file, e.g. certificate.pdf")

    def handle(self, *args, code, out, **options):
        try:
            cert = services.find_by_code(code)
        except BadCheckCharacter as exc:
            raise CommandError("Invalid code (wrong check character).") from exc
        except MalformedCode as exc:
            raise CommandError("Invalid code: expected 13 letters and digits like ABCD-EFGH-JKMN-P.") from exc
        if cert is None:
            raise CommandError("No certificate has this code.")
        data = certificate_pdf(cert)
        Path(out).write_bytes(data)
        self.stdout.write(f"{cert.number}: {len(data)} bytes written to {out}")
