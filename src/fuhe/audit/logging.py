import logging

from fuhe.audit.core.masking import mask_text


class MaskPersonalDataFilter(logging.Filter):
    """Mask phone and ID numbers in every log record before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not stop logging
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
