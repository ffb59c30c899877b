"""A real OpenLDAP server (Debian's slapd) for the tests: configured in a temporary folder, loaded with
a small company directory, on a port of CHIRP_TEST_LDAP_PORTS (default 8810-8819)."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from faults.servers import free_port, port_range
from sso.tests.server_process import ServerProcess

SLAPD = "/usr/sbin/slapd"
SUFFIX = "dc=corp,dc=example"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory admin secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
MODERATORS_DN = f"cn=chirp-moderators,{GROUPS}"

_CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile {folder}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
suffix "{suffix}"
rootdn "{admin}"
rootpw "{password}"
directory {folder}/data
maxsize 10485760
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
"""


def person(
    uid: str, *, name: str, password: str, mail: str = "", title: str = "", department: str = ""
) -> str:
    lines = [
        f"dn: uid={uid},{PEOPLE}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        f"cn: {name}",
        f"sn: {name.split()[-1]}",
        f"userPassword: {password}",
    ]
    if mail:
        lines.append(f"mail: {mail}")
    if title:
        lines.append(f"title: {title}")
    if department:
        lines.append(f"departmentNumber: {department}")
    return "\n".join(lines) + "\n"


def group(name: str, members: list[str]) -> str:
    lines = [f"dn: cn={name},{GROUPS}", "objectClass: groupOfNames", f"cn: {name}"]
    lines += [f"member: uid={uid},{PEOPLE}" for uid in members]
    return "\n".join(lines) + "\n"


class Slapd(ServerProcess):
    name = "slapd"

    def __init__(self):
        self.port = free_port(port_range("CHIRP_TEST_LDAP_PORTS", "8810-8819"))
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.folder = Path(tempfile.mkdtemp(prefix="chirp-slapd-"))
        self.log = self.folder / "slapd.log"

    def start(self, entries: list[str]) -> "Slapd":
        """Write the configuration, load `entries` (LDIF) under the company's tree, start slapd."""
        (self.folder / "data").mkdir()
        config = self.folder / "slapd.conf"
        config.write_text(
            _CONFIG.format(folder=self.folder, suffix=SUFFIX, admin=ADMIN_DN, password=ADMIN_PASSWORD)
        )
        base = [
            f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n",
            f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
            f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
        ]
        (self.folder / "data.ldif").write_text("\n".join(base + entries))
        subprocess.run(
            ["/usr/sbin/slapadd", "-f", str(config), "-l", str(self.folder / "data.ldif")],
            check=True,
            capture_output=True,
        )
        # -d keeps slapd in the foreground, where the test can stop it.
        self.spawn([SLAPD, "-f", str(config), "-h", f"{self.uri}/", "-d", "0"])
        return self

    def modify(self, ldif: str) -> None:
        """Change the directory as its administrators would (ldapmodify)."""
        subprocess.run(
            ["ldapmodify", "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
            input=ldif,
            text=True,
            check=True,
            capture_output=True,
        )

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
