from django.core.management import call_command


def test_collectstatic_with_the_production_storage_succeeds(tmp_path, settings):
    """`fuhe serve` runs collectstatic with the manifest storage: every referenced file must exist."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
