import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_presenceevent_moved_to_video"),
    ]

    operations = [
        migrations.CreateModel(
            name="InvitationLetter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("parent_body", models.CharField(blank=True, help_text="Printed above the issuing body, e.g. “UBND TỈNH QUẢNG NGÃI”. Empty: none.", max_length=200, verbose_name="governing body")),
                ("issuer", models.CharField(blank=True, help_text="e.g. “Sở Giáo dục và Đào tạo”. Empty: the site's issuer, else the host bridge.", max_length=200, verbose_name="issuing body")),
                ("number", models.CharField(blank=True, help_text="The number the records office gives the letter. Empty: a blank to write in by hand.", max_length=20, verbose_name="number in the register")),
                ("number_pattern", models.CharField(default="{seq}/GM", help_text="How the number is written: {seq} is the number above, {year} the year of the letter, e.g. “{seq}/GM-UBND”.", max_length=60, verbose_name="number pattern")),
                ("place", models.CharField(blank=True, help_text="Before the date, e.g. “Quảng Ngãi”. Empty: the site's place.", max_length=80, verbose_name="place name")),
                ("dated", models.DateField(blank=True, help_text="Empty: the day the letter is printed.", null=True, verbose_name="date of the letter")),
                ("title", models.CharField(blank=True, help_text="Empty: “GIẤY MỜI”.", max_length=120, verbose_name="document title")),
                ("subject", models.CharField(blank=True, help_text="Under the title. Empty: “V/v: ” and the event's title.", max_length=300, verbose_name="summary line")),
                ("body", models.TextField(blank=True, help_text="After the invitation sentence. Empty: the event's description.", verbose_name="body")),
                ("recipients", models.TextField(blank=True, help_text="One per line, under “Nơi nhận:”. Empty: “Như trên;” and “Lưu: VT.”.", verbose_name="recipients")),
                ("signer_authority", models.CharField(blank=True, help_text="e.g. “KT. CHỦ TỊCH”, “TL. GIÁM ĐỐC”. Empty: none.", max_length=120, verbose_name="signing authority")),
                ("signer_title", models.CharField(blank=True, help_text="e.g. “PHÓ CHỦ TỊCH”. Empty: the issuing body.", max_length=120, verbose_name="signer's title")),
                ("signer_name", models.CharField(blank=True, max_length=120, verbose_name="signer's name")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("event", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="letter", to="events.event")),
            ],
            options={
                "verbose_name": "invitation letter",
                "verbose_name_plural": "invitation letters",
            },
        ),
    ]
