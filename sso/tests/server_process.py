import subprocess
from pathlib import Path

from faults.servers import wait_for_port


class ServerProcess:
    """A server the tests start on `port`, its output appended to `log`; stopped by stop()."""

    name = "the server"
    port: int
    log: Path
    process: subprocess.Popen | None = None

    def spawn(self, args: list[str], **popen) -> None:
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **popen
            )
        try:
            wait_for_port(self.port, timeout=30)
        except RuntimeError:
            self.stop()
            raise AssertionError(f"{self.name} did not start:\n{self.log.read_text()[-3000:]}") from None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
