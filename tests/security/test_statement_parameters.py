"""A failing statement's parameters stay out of its exception: the exception is what
gets logged, and the parameters of a case or a call-back hold the victim's number."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from models.cases import Case
from models.db import engine_for

NUMBER = "+447911123499"


def test_a_failing_statement_does_not_log_its_parameters(tmp_path, caplog):
    engine = engine_for(f"sqlite:///{tmp_path / 'parameters.sqlite3'}")
    SQLModel.metadata.create_all(engine, tables=[Case.__table__])
    with Session(engine) as db:
        db.add(Case(crime_reference="5201234/26", reference_digits="520123426", victim_phone=NUMBER))
        db.commit()
        db.add(Case(crime_reference="5201234/26", reference_digits="520123426", victim_phone=NUMBER))
        with pytest.raises(IntegrityError) as failed:
            try:
                db.commit()
            except IntegrityError:
                logging.getLogger("models").exception("insert failed")
                raise
    assert "520123426" not in str(failed.value) and NUMBER not in str(failed.value), str(failed.value)
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "insert failed" in logged and NUMBER not in logged and "7911123499" not in logged
