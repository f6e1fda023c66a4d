"""The invitation letter's preview: the PDF one bridge would get, drawn from the saved fields (GET) or from the
edit page's unsaved ones (POST). Nothing is written."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from .access import get_event
from .invitation_pdf import preview_pdf
from .letter_forms import LetterForm
from .services import letters


@login_required
def letter_preview(request, pk: int):
    event = get_event(request.user, pk, manage=True)
    letter = letters.letter_of(event)
    if request.method == "POST":
        form = LetterForm(request.POST, instance=letter, prefix="letter")
        if not form.is_valid():
            errors = "\n".join(f"{form[name].label if name != '__all__' else ''}: {' '.join(messages)}"
                               for name, messages in form.errors.items())
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        letter = letters.with_values(letter, form.letter_values)
    response = HttpResponse(preview_pdf(event, letter), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="xem-truoc-giay-moi.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
