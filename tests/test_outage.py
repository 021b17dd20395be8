"""With PostgreSQL stopped, a comment is shown back to its writer, not lost, and the app works
again when the database is back, without a restart. A PostgreSQL restart while the app is idle
costs nobody an error page: the pooled connections it ended are noticed before they are used."""

from __future__ import annotations

import gc
import logging

import pytest
from sqlalchemy import select

from consultation import context, create_app
from consultation.models import Comment
from tests import postgres
from tests.conftest import APP_SETTINGS, migrated
from tests.consultation_pages import GOOD, PETS, SECTION, form_for, soup


# Connections that died with the server are dropped by SQLAlchemy's pool and closed by the garbage
# collector, which psycopg reports as a ResourceWarning; the suite turns warnings into errors.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_database_outage_keeps_the_comment_and_recovers(project, caplog):
    with postgres.server() as database:
        app = create_app(project, {**APP_SETTINGS, "DATABASE_URL": migrated(database.url)})
        client = app.test_client()
        action, hidden = form_for(soup(client.get(PETS)), SECTION)
        for mode in ("fast", "immediate"):  # a restart, and a crash (the server killed)
            database.stop(mode)
            database.start()
            assert client.get(PETS).status_code == 200  # on a connection pooled before it
        data = {**hidden, **{f"{SECTION}-{name}": value for name, value in GOOD.items()}}

        database.stop()
        with caplog.at_level(logging.ERROR):
            response = client.post(action, data=data)
        assert response.status_code == 503
        page = soup(response)
        assert "We could not save your comment because of a problem on our side" in page.get_text()
        assert [text.get_text() for text in page.find_all(class_="kept-text")] == [GOOD["comment"]]
        assert "Database unavailable on POST" in caplog.text
        assert GOOD["comment"] not in caplog.text  # the log never carries what people wrote

        database.start()
        assert client.post(action, data=data).status_code == 303
        with app.app_context():
            assert [comment.body for comment in context.database().scalars(select(Comment))] == [
                GOOD["comment"]]
        app.extensions["engine"].dispose()
        gc.collect()  # here, where the warning is expected, not in a later test
