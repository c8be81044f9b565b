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
#   client.p12        a client certificate with an RSA key (clientrsa.pem/.key) as
#                     PKCS#12, password "secret": wine's CryptoAPI (and so its
#                     PFXImportCertStore and Schannel) has RSA keys only
#   otherca.pem       an unrelated CA, for "unknown CA"
#   leafrsa.pem/.key  as leaf with an RSA key (PKCS#8), leafrsa1.key the same key
#                     as PKCS#1, leafrsa.p12 both as PKCS#12 (password "secret"): a
#                     server certificate wine's CryptoAPI can hold (it has no EC)
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

# full_sig CERT: whether both integers (r, s) of the certificate's ECDSA
# signature are 32 bytes long. Wine 8's crypt32 joins r and s at their
# decoded lengths, so a shorter one (about one signature in 128) fails its
# signature check there (CERT_TRUST_IS_NOT_SIGNATURE_VALID) although the
# certificate is good: such a certificate is signed again (ECDSA signatures
# are random), so the Schannel tests under wine do not fail by chance.
full_sig() {
	off=$(openssl asn1parse -in "$1" | tail -n 1 | cut -d: -f1)
	openssl asn1parse -in "$1" -strparse "$off" |
		awk -F: '/INTEGER/ { if (length($NF) != 64) bad = 1 } END { exit bad }'
}

# full_rsa KEY: whether every integer of the RSA private key has its full
# width: the private exponent as many bytes as the modulus, the primes and
# the three CRT values half as many. Wine 8 loses a leading zero byte when
# PFXImportCertStore takes such a key from PKCS#12 into its CryptoAPI
# provider, and GnuTLS (wine's Schannel) then fails to sign with it ("Public
# key signing has failed", the handshake fails with SEC_E_INTERNAL_ERROR):
# seen in CI with a private exponent one byte short, and reproduced with
# that key every time. About one new key in 20 has some field short (7 of
# 150 here); the shorter CRT values are refused too, as the same loss is
# likely for them. libsock's own PEM import of the same key works, and
# Windows has no such limit, so a short key is made again and the Schannel
# tests under wine do not fail by chance.
full_rsa() {
	openssl rsa -in "$1" -text -noout 2>/dev/null | awk '
		/^[A-Za-z0-9]+:/ { f = $1; sub(":", "", f); next }
		/^ +[0-9a-f][0-9a-f](:|$)/ {
			n = split($0, b, ":")
			for (i = 1; i <= n; i++) {
				gsub(/ /, "", b[i])
				if (b[i] == "")
					continue
				# The sign byte OpenSSL puts before a high first byte.
				if (!(f in len) && b[i] == "00") {
					len[f] = 0
					continue
				}
				len[f]++
			}
		}
		END {
			w = len["modulus"]
			if (w == 0 || len["privateExponent"] != w)
				exit 1
			split("prime1 prime2 exponent1 exponent2 coefficient", h, " ")
			for (i in h)
				if (len[h[i]] * 2 != w)
					exit 1
		}'
}

# rsakey FILE: a 2048-bit RSA key (PKCS#8), made again while full_rsa says no.
rsakey() {
	for _ in 1 2 3 4 5 6 7 8; do
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null
		full_rsa "$1" && break
	done
}

# selfca NAME CN: a self-signed CA.
selfca() {
	key "$1.key"
	for _ in 1 2 3 4 5 6 7 8; do
		openssl req -new -x509 -key "$1.key" -out "$1.pem" -days 3650 -subj "/CN=$2" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign"
		full_sig "$1.pem" && break
	done
}

# issue NAME EXT ISSUER DATES...: sign NAME.csr with ISSUER (again while
# full_sig says no).
issue() {
	name=$1 ext=$2 issuer=$3
	shift 3
	for _ in 1 2 3 4 5 6 7 8; do
		openssl ca -batch -config ca.cnf -cert "$issuer.pem" -keyfile "$issuer.key" \
			-extensions "$ext" "$@" -in "$name.csr" -out "$name.pem" -notext 2>/dev/null
		full_sig "$name.pem" && break
	done
	rm -f "$name.csr"
}

# sign NAME CN EXT ISSUER [START END]: a key and a certificate signed by ISSUER.
sign() {
	key "$1.key"
	openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
	if [ $# -ge 6 ]; then
		issue "$1" "$3" "$4" -startdate "$5" -enddate "$6"
	else
		issue "$1" "$3" "$4" -days 825
	fi
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
for _ in 1 2 3 4 5 6 7 8; do
	openssl req -new -x509 -key selfsigned.key -out selfsigned.pem -days 825 -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
	full_sig selfsigned.pem && break
done
openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile ca.pem -out leaf.p12 \
	-passout pass:secret
rsakey clientrsa.key
openssl req -new -key clientrsa.key -out clientrsa.csr -subj "/CN=libsock test client (RSA)"
issue clientrsa v3_client ca -days 825
openssl pkcs12 -export -in clientrsa.pem -inkey clientrsa.key -certfile ca.pem -out client.p12 \
	-passout pass:secret
# The same RSA key as PKCS#1 ("BEGIN RSA PRIVATE KEY"), the other PEM form.
openssl pkey -in clientrsa.key -traditional -out clientrsa1.key 2>/dev/null ||
	openssl rsa -in clientrsa.key -out clientrsa1.key 2>/dev/null
# A server certificate with an RSA key, in each form a configuration takes.
rsakey leafrsa.key
openssl req -new -key leafrsa.key -out leafrsa.csr -subj "/CN=localhost"
issue leafrsa v3_server ca -days 825
openssl pkey -in leafrsa.key -traditional -out leafrsa1.key 2>/dev/null ||
	openssl rsa -in leafrsa.key -out leafrsa1.key 2>/dev/null
openssl pkcs12 -export -in leafrsa.pem -inkey leafrsa.key -certfile ca.pem -out leafrsa.p12 \
	-passout pass:secret
echo "certificates made in $(pwd)"
