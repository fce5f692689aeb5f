import logging

from fuhe.audit.core.masking import redact


class MaskPersonalDataFilter(logging.Filter):
    """Redact personal data (``fuhe.audit.core.masking.redact``) in every log record before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not stop logging
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
