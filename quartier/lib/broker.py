"""A message queue in a folder, for one machine with no Redis (the demo, `quartier serve --with-worker`).

kombu's `filesystem://` transport keeps each message in a file that the worker takes by moving it away.
It writes the file in place, so a worker polling at that moment could take half a message; this
transport writes under a name the worker ignores, then renames it into the queue, which is atomic.
It also creates its folders. The settings choose it for `QUARTIER_BROKER_URL=filesystem://[/path]`.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for folder in (self.data_folder_in, self.data_folder_out, self.control_folder):
            Path(folder).mkdir(parents=True, exist_ok=True)

    def _put(self, queue, payload, **kwargs) -> None:
        # Same name as kombu's (time first, so the oldest message is taken first), written aside first.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to the queue folder") from exc


class Transport(filesystem.Transport):
    Channel = Channel
