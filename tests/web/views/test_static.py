from pathlib import Path

from django.core.management import call_command


def test_collectstatic_with_the_production_storage_succeeds(tmp_path, settings):
    """`fuhe serve` runs collectstatic with the manifest storage: every referenced file must exist."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_favicon(client, db):
    """Without it each first visit logged a 404 for /favicon.ico in the browser's console."""
    from django.contrib.staticfiles import finders

    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" type="image/svg+xml" href="/static/web/favicon.svg">' in page
    icon = finders.find("web/favicon.svg")
    assert icon and Path(icon).read_text(encoding="utf-8").startswith("<svg")
