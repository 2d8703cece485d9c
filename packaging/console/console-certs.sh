#!/usr/bin/env bash
# Certificates for the management console (docs/operations.md, "The
# management console"), with openssl only:
#   console-certs.sh ca DIR                 the console's client CA (ca.pem, ca-key.pem)
#   console-certs.sh server DIR NAME...     the console's server certificate for these
#                                           host names or IP addresses (console.pem, console-key.pem)
#   console-certs.sh operator DIR ID        an operator's client certificate (ID.pem, ID-key.pem,
#                                           ID.p12 for the browser); prints its console_fingerprint
# Keys are P-256; the CA key stays on the administrator's machine, never on the kiosk.
set -euo pipefail
days=${DAYS:-825}

usage() { sed -n '2,10p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2
mkdir -p "$dir"
umask 077

case $cmd in
ca)
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" -days 3650 \
    -subj "/CN=uketsuke console operators CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "$dir/ca.pem: set parts.console.client_ca_file to (a copy of) it"
  ;;
server)
  [ $# -ge 1 ] || usage
  san=""
  for n in "$@"; do
    if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then san+="IP:$n,"; else san+="DNS:$n,"; fi
  done
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/console-key.pem" -out "$dir/console.pem" -days "$days" \
    -subj "/CN=$1" -addext "subjectAltName=${san%,}" \
    -addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth" 2>/dev/null
  echo "$dir/console.pem, $dir/console-key.pem: parts.console.cert_file and key_file"
  ;;
operator)
  [ $# -eq 1 ] || usage
  id=$1
  [[ $id =~ ^[a-z][a-z0-9_.]{0,31}$ ]] || { echo "operator id: lower-case letters, digits, _ and ." >&2; exit 2; }
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/$id-key.pem" -out "$dir/$id.csr" -subj "/CN=$id" 2>/dev/null
  openssl x509 -req -in "$dir/$id.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial \
    -out "$dir/$id.pem" -days "$days" \
    -extfile <(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n') 2>/dev/null
  rm -f "$dir/$id.csr"
  # The browser imports the PKCS#12 file; its password is asked for here.
  if [ -n "${P12_PASS_FD:-}" ]; then
    openssl pkcs12 -export -in "$dir/$id.pem" -inkey "$dir/$id-key.pem" -out "$dir/$id.p12" -name "uketsuke $id" -passout "fd:$P12_PASS_FD"
  else
    openssl pkcs12 -export -in "$dir/$id.pem" -inkey "$dir/$id-key.pem" -out "$dir/$id.p12" -name "uketsuke $id"
  fi
  fp=$(openssl x509 -in "$dir/$id.pem" -outform der | sha256sum | cut -d' ' -f1)
  echo "console_fingerprint for $id: $fp"
  ;;
*) usage ;;
esac
