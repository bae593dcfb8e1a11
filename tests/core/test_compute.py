"""CloudCompute: what a work asks of its machine, and its dict form."""
import lightwork as L
from lightwork.storage import Mount


def test_to_dict_and_from_dict_take_mounts_back():
    one, two = Mount(source="s3://foo/", mount_path="/foo"), Mount(source="s3://foo/bar/", mount_path="/bar")
    for mounts in (one, [one, two]):
        compute = L.CloudCompute("gpu", mounts=mounts)
        described = compute.to_dict()
        as_dicts = [{"source": "s3://foo/", "mount_path": "/foo"}, {"source": "s3://foo/bar/", "mount_path": "/bar"}]
        assert described["mounts"] == (as_dicts[0] if mounts is one else as_dicts)
        assert L.CloudCompute.from_dict(described) == compute
