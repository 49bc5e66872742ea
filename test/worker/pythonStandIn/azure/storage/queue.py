import itertools, os, sys, time


class _Message:
    def __init__(self, path):
        self.path = path
        self.id = os.path.basename(path)
        with open(path) as f:
            self.content = f.read()


class QueueClient:
    """Messages are files in $STANDIN_DIR/queues/<name>/, in name order."""

    _seq = itertools.count()

    def __init__(self, account_url, queue_name, credential=None):
        self.dir = os.path.join(os.environ["STANDIN_DIR"], "queues", queue_name)
        os.makedirs(self.dir, exist_ok=True)
        self.taken = set()

    @classmethod
    def from_connection_string(cls, conn_str, queue_name):
        return cls(None, queue_name)

    def receive_messages(self, visibility_timeout=30, max_messages=1):
        names = sorted(n for n in os.listdir(self.dir) if n not in self.taken)
        if not names and os.environ.get("STANDIN_EXIT_WHEN_EMPTY"):
            sys.exit(0)
        for name in names[:max_messages]:
            self.taken.add(name)
            yield _Message(os.path.join(self.dir, name))

    def send_message(self, content):
        name = f"{time.time_ns():020d}-{next(self._seq):06d}.json"
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(content)

    def delete_message(self, message):
        os.remove(message.path)
