import os

from azure.core.exceptions import ResourceNotFoundError


class _Download:
    def __init__(self, data):
        self.data = data

    def readall(self):
        return self.data


class ContainerClient:
    """Blobs are files under $STANDIN_DIR/blobs/, their names as paths."""

    def __init__(self, account_url, container_name, credential=None):
        self.dir = os.path.join(os.environ["STANDIN_DIR"], "blobs")

    @classmethod
    def from_connection_string(cls, conn_str, container_name):
        return cls(None, container_name)

    def download_blob(self, name):
        path = os.path.join(self.dir, name)
        if not os.path.isfile(path):
            raise ResourceNotFoundError(name)
        with open(path, "rb") as f:
            return _Download(f.read())

    def list_blobs(self, name_starts_with=""):
        for root, _, files in os.walk(self.dir):
            for f in sorted(files):
                name = os.path.relpath(os.path.join(root, f), self.dir)
                if name.startswith(name_starts_with):
                    yield name
