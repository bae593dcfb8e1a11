import uuid

import pytest

from lightwork.storage.store import Store


@pytest.fixture(params=["local", "memory", "s3"])
def storage_url(request, tmp_path):
    """A fresh, empty storage root on each backend; every test using it runs once per backend."""
    if request.param == "local":
        yield str(tmp_path / "root")
    elif request.param == "memory":
        yield f"memory://lightwork-{uuid.uuid4().hex}"
    else:
        request.getfixturevalue("s3_server")
        yield f"s3://lightwork-test/{uuid.uuid4().hex}"


@pytest.fixture
def store(storage_url):
    return Store(storage_url)
