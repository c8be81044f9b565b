"""Certificates for the TLS tests, made by the run with the openssl command.

make_certs(dir) writes a CA, a server certificate for localhost/127.0.0.1
signed by it, one for another name, an expired one, and a second CA that
signed nothing the servers use (the "unknown CA" case). Nothing is fetched.
"""
import os
import shutil
import subprocess
import tempfile

OPENSSL = shutil.which('openssl')

_EXT = """basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName={san}
"""


def _run(*args, cwd):
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


def _ca(d, name):
    _run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
         '-nodes', '-keyout', f'{name}.key', '-out', f'{name}.pem', '-days', '30',
         '-subj', f'/CN=libsock test {name}', '-addext', 'basicConstraints=critical,CA:TRUE',
         '-addext', 'keyUsage=critical,keyCertSign,cRLSign', cwd=d)


def _leaf(d, name, san, ca='ca', days='30'):
    _run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
         '-keyout', f'{name}.key', '-out', f'{name}.csr', '-subj', f'/CN={name}', cwd=d)
    with open(os.path.join(d, f'{name}.ext'), 'w') as f:
        f.write(_EXT.format(san=san))
    _run('x509', '-req', '-in', f'{name}.csr', '-CA', f'{ca}.pem', '-CAkey', f'{ca}.key',
         '-CAcreateserial', '-out', f'{name}.crt', '-days', days,
         '-extfile', f'{name}.ext', cwd=d)
    with open(os.path.join(d, f'{name}.pem'), 'w') as out:
        for part in (f'{name}.crt', f'{name}.key'):
            with open(os.path.join(d, part)) as f:
                out.write(f.read())


def _expired(d, name, san):
    """A certificate valid only in January 2020, signed by ca: `openssl ca`
    takes explicit dates (x509 -not_before/-not_after needs OpenSSL 3.4)."""
    os.makedirs(os.path.join(d, 'newcerts'), exist_ok=True)
    open(os.path.join(d, 'index.txt'), 'w').close()
    with open(os.path.join(d, 'serial'), 'w') as f:
        f.write('1000\n')
    conf = os.path.join(d, 'ca.cnf')
    with open(conf, 'w') as f:
        f.write(f"""[ca]
default_ca = tca
[tca]
dir = {d}
database = {d}/index.txt
new_certs_dir = {d}/newcerts
serial = {d}/serial
default_md = sha256
policy = anything
copy_extensions = copy
[anything]
commonName = supplied
[ext]
basicConstraints=CA:FALSE
subjectAltName={san}
""")
    _run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
         '-keyout', f'{name}.key', '-out', f'{name}.csr', '-subj', f'/CN={name}', cwd=d)
    _run('ca', '-batch', '-config', conf, '-cert', 'ca.pem', '-keyfile', 'ca.key',
         '-in', f'{name}.csr', '-out', f'{name}.crt', '-startdate', '20200101000000Z',
         '-enddate', '20200201000000Z', '-extensions', 'ext', '-notext', cwd=d)
    with open(os.path.join(d, f'{name}.pem'), 'w') as out:
        for part in (f'{name}.crt', f'{name}.key'):
            with open(os.path.join(d, part)) as f:
                out.write(f.read())


class Certs:
    """Paths: ca (CA file), server (cert+key for localhost and 127.0.0.1),
    other (cert+key for other.example), expired (localhost, expired),
    client (a client certificate), unknown_ca (a CA that signed nothing)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='lsp-tls-')
        d = self.dir
        _ca(d, 'ca')
        _ca(d, 'unknownca')
        _leaf(d, 'server', 'DNS:localhost,IP:127.0.0.1,IP:::1')
        _leaf(d, 'other', 'DNS:other.example')
        _leaf(d, 'client', 'DNS:client.example')
        _expired(d, 'expired', 'DNS:localhost,IP:127.0.0.1')
        self.ca = os.path.join(d, 'ca.pem')
        self.unknown_ca = os.path.join(d, 'unknownca.pem')
        self.server = os.path.join(d, 'server.pem')
        self.other = os.path.join(d, 'other.pem')
        self.client = os.path.join(d, 'client.pem')
        self.expired = os.path.join(d, 'expired.pem')

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


_certs = None


def certs():
    """One set of certificates per process (removed at exit)."""
    global _certs
    if _certs is None:
        import atexit
        _certs = Certs()
        atexit.register(_certs.cleanup)
    return _certs


def server_context(ssl, cert=None, **kw):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert or certs().server)
    return ctx


def client_context(ssl, ca=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca or certs().ca)
    return ctx
