#!/bin/sh
# Make the certificates the TLS tests use, with the openssl command, into
# DIR (made afresh). Nothing is fetched; every key is new on every run.
#
#   ca.pem            a private root CA (ca.key)
#   leaf.pem/.key     localhost, 127.0.0.1 and ::1, signed by the CA
#   leaf.p12          the same as PKCS#12, password "secret"
#   expired.pem/.key  as leaf, valid only in 2020
#   wrongname.pem/.key  wrong.example only
#   selfsigned.pem/.key  localhost, signed by itself
#   inter.pem         an intermediate CA signed by the root
#   ileaf.pem/.key    localhost signed by the intermediate (leaf only)
#   ichain.pem        ileaf.pem followed by inter.pem (the full chain)
#   client.pem/.key   a client certificate signed by the CA
#   otherca.pem       an unrelated CA, for "unknown CA"
#
# Usage: make_certs.sh DIR. Exits 77 (a skip for ctest) without openssl.
set -eu
dir=${1:?usage: make_certs.sh DIR}
if ! command -v openssl >/dev/null 2>&1; then
	echo "make_certs.sh: the openssl command was not found (Debian: apt-get install openssl); TLS tests skip" >&2
	exit 77
fi
rm -rf "$dir"
mkdir -p "$dir/db"
cd "$dir"
: >db/index.txt
echo 1000 >db/serial

# One configuration for every signature, with a section per kind.
cat >ca.cnf <<'CNF'
[ca]
default_ca = testca
[testca]
dir = .
database = db/index.txt
serial = db/serial
new_certs_dir = db
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
[v3_wrong]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
[v3_client]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
CNF

key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# selfca NAME CN: a self-signed CA.
selfca() {
	key "$1.key"
	openssl req -new -x509 -key "$1.key" -out "$1.pem" -days 3650 -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# sign NAME CN EXT ISSUER [START END]: a key and a certificate signed by ISSUER.
sign() {
	key "$1.key"
	openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
	if [ $# -ge 6 ]; then
		dates="-startdate $5 -enddate $6"
	else
		dates="-days 825"
	fi
	# shellcheck disable=SC2086 # the dates split into words
	openssl ca -batch -config ca.cnf -cert "$4.pem" -keyfile "$4.key" -extensions "$3" \
		$dates -in "$1.csr" -out "$1.pem" -notext 2>/dev/null
	rm -f "$1.csr"
}

selfca ca "libsock test CA"
selfca otherca "libsock other CA"
sign leaf localhost v3_server ca
sign expired localhost v3_server ca 20200101000000Z 20201231000000Z
sign wrongname wrong.example v3_wrong ca
sign inter "libsock test intermediate" v3_ca ca
sign ileaf localhost v3_server inter
sign client "libsock test client" v3_client ca
cat ileaf.pem inter.pem >ichain.pem
key selfsigned.key
openssl req -new -x509 -key selfsigned.key -out selfsigned.pem -days 825 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile ca.pem -out leaf.p12 \
	-passout pass:secret
echo "certificates made in $(pwd)"
