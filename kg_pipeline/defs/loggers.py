"""A compact console logger: one line per message, `time  step  message`.

Dagster's default console logger prefixes every line with the run id and job name, which buries
the progress of a terminal rebuild. The UI is unaffected: it reads the event log, not stdout.
"""

import logging
import sys
import time

import dagster as dg


class CompactFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        step = meta.get("step_key") or meta.get("job_name") or ""
        message = (meta.get("orig_message") or record.getMessage()).strip()
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        level = "" if record.levelno == logging.INFO else f"{record.levelname}: "
        return f"{stamp}  {step:<28}  {level}{message.splitlines()[0] if message else ''}"


@dg.logger(
    {"log_level": dg.Field(str, is_required=False, default_value="INFO")},
    description="One line per message: time, step and message.",
)
def compact_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.Logger("kg_pipeline.run", level=init_context.logger_config["log_level"])
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(CompactFormatter())
    log.addHandler(handler)
    return log
