### socktool's words in English: the source every other language follows.
###
### One message per sentence socktool says of its own. `{ $name }` is filled
### in by the code; a translation must keep every one of them (a test
### checks). Plurals use the language's own rules: English has `one` and
### `other`. Not here on purpose: the tutorial's own lines (`Socket
### created`, `Connected with ...`), socket calls, errno names.

## The language itself

lang-unknown = socktool speaks { $known }

## Counting

count-clients = { $count ->
    [one] 1 client
   *[other] { $count } clients
}

## Errors: one line each, after `socktool: error:`

err-no-address = { $host } has no { $family } address
err-reverse-lookup = no host name for { $addr }: { $reason }
err-connect = cannot connect to { $addr }: { $errno }
err-timeout = timed out after { $after } while { $phase ->
    [connect] connecting to
    [read] reading from
    [write] writing to
    [accept] waiting for a client on
   *[handshake] doing the TLS handshake with
} { $addr }
err-call = { $op } failed: { $errno }
err-io = { $op } failed ({ $addr }): { $errno }
err-too-large = the reply passed --max-bytes { $limit }; stopped after { $limit } bytes
err-server-timeout = timed out after { $after } while { $phase ->
    [connect] connecting to
    [read] reading from
    [write] writing to
    [accept] waiting for a client on
   *[handshake] doing the TLS handshake with
} { $addr } ({ $option })
err-stalled = timed out after { $after } while reading from { $addr }: { $got } bytes came, then nothing
err-max-time = gave up after --max-time { $after }: the exchange with { $addr } was not over ({ $got } bytes of reply so far)
err-not-http = { $addr } answered with something that is not HTTP: "{ $start }" (an HTTP reply starts with HTTP/1.1 and a status code)
err-bad-reply = the reply from { $addr } cannot be read as HTTP: { $why }
err-incomplete = incomplete reply from { $addr }: { $what }
err-certificate = cannot trust the certificate of { $addr }: { $problem }
err-tls = TLS { $during ->
    [handshake] handshake
   *[connection] connection
} with { $addr } failed: { $failure }
err-ca-file = --cacert { $path }: { $why }
err-too-many-redirects = gave up after { $max } redirects (--max-redirs): { $last } sends us on again
err-bad-redirect = cannot follow the redirect from { $addr }: { $why }
err-stdout = cannot write the data to stdout: { $source }
err-write-file = cannot write { $path }: { $source }
err-read-file = cannot read { $path }: { $source }
err-bad-recording = { $path }, line { $line }: not a socktool recording ({ $why })
err-stdin = cannot read stdin: { $source }
err-datagram-too-large = the message is { $size } bytes, but one { $family } UDP datagram carries at most { $limit } bytes
err-datagram-over-limit = the message is over { $limit } bytes, but one { $family } UDP datagram carries at most { $limit } bytes
err-no-reply = no reply from { $addr } within { $after }: UDP does not guarantee delivery, so the datagram or its reply may have been lost, or nothing answers on that port
err-no-pong = no reply from { $addr } to any of { $sent } pings: UDP does not guarantee delivery, so every ping or every reply was lost, or nothing answers on that port
err-port-unreachable = { $addr } answered ICMP port unreachable (ECONNREFUSED): nothing listens on UDP port { $port }
err-load = { $failed } of { $clients } clients failed: { $first }
err-stdout-closed = stdout was closed

## Why a certificate cannot be trusted, and why a TLS handshake failed

cert-unknown-issuer = unknown issuer: it was signed by "{ $issuer }", which is not among the CAs we trust ({ $trusted })
cert-expired = it has expired: it was valid until { $until }, { $ago } ago
cert-not-yet-valid = it is not valid yet: it is valid from { $from }
cert-wrong-name-none = it is not valid for the name { $asked }: it names no host at all
cert-wrong-name = it is not valid for the name { $asked }: it is valid for { $names }
tls-alert = the server refused with alert { $name } ({ $code }); we offered { $offered }
tls-incompatible = { $why } (the server's hello chose { $chose })
tls-plain-http = the server answered in plain HTTP, not TLS: "{ $start }"
tls-not-tls = the server answered with bytes that are not TLS: "{ $start }" (a TLS record starts with 15, 16 or 17 hex, then 03)
tls-closed = the server closed the connection during the handshake, without a word (no alert)

## Hints: what to do about an error, on the line after it

hint-resolve-web = check the spelling and your network (`getent hosts { $host }` asks the same resolver); with no network, serve a page yourself: `python3 -m http.server 8000 --bind 127.0.0.1` in another terminal, then `socktool http-get localhost:8000`
hint-resolve = check the spelling and your network: `getent hosts { $host }` asks the same resolver (names in /etc/hosts, such as localhost, work without a network)
hint-no-address = { $host } has addresses, but no { $family } one: use { $flag } instead
hint-connect-timed-out = the handshake got no answer: a firewall drops it, or the server's accept queue is full; raise --timeout or check the address
hint-no-route = no route to that address: check the address and your network
hint-timeout = { $phase ->
    [connect] the handshake got no answer: raise --timeout or check the address
    [read] the peer is connected but sent nothing in time: raise --timeout, or check that it expects a request first
    [write] the peer stopped reading and its receive window is full: raise --timeout or check the peer
    [accept] no client connected in time: raise --timeout, or connect one, e.g. `telnet HOST PORT`
   *[handshake] the server took the connection but never finished the handshake: a server that does not speak TLS there waits for us to speak first (try http:// or drop --tls); or raise --timeout
}
hint-server-timeout = { $phase ->
    [accept] nobody connected within { $option }: connect a client (e.g. `telnet HOST PORT`), or raise { $option }
    [write] the client stopped reading our reply: that is what { $option } is for; raise it for a slow client
   *[other] the client is connected but sent nothing: that is what { $option } is for; raise it if the client needs longer
}
hint-bind-time-wait = port { $port } is taken: by a server still running, or by the connections of one just stopped, which wait in TIME_WAIT for a minute: drop --no-reuse-address (SO_REUSEADDR lets a restart past TIME_WAIT), or choose another --port
hint-bind-in-use = port { $port } is taken by another server still running: stop it, or choose another --port (0 lets the OS pick)
hint-bind-privileged = ports below 1024 need privileges: use a port above 1023, e.g. --port { $port }
hint-bind-not-local = { $ip } is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of `ip addr`
hint-bind-other = check --host and --port
hint-reset = the peer reset the connection (it closed with unread data, or crashed)
hint-broken-pipe = the peer closed its end before we finished sending
hint-too-large = raise --max-bytes to receive more
hint-ca-file = give a PEM file with the CA's certificate (-----BEGIN CERTIFICATE-----), e.g. the ca.pem a classroom's server was signed with
hint-too-many-redirects = the server sends us round in a loop, or the chain is longer than --max-redirs: raise --max-redirs, or fetch the last Location yourself
hint-bad-redirect = fetch the Location yourself, or drop -L to see the redirect as the server sent it
hint-stalled = the server stopped in the middle of its reply: raise --timeout, or check the server
hint-max-time = the server is slow, or sends without end: raise --max-time if the reply is just big (or the network slow)
hint-not-http = http-get speaks HTTP to web servers; for a line server such as serve-threaded use `socktool connect { $ip } { $port }`; for a web server to try: `python3 -m http.server 8000 --bind 127.0.0.1`
hint-incomplete = the server closed before it finished: it crashed or was stopped, or the connection was cut; try again, or check the server
hint-datagram-too-large = the length fields are 16 bits: 65,535 bytes of IPv4 packet minus 20 (IP header) and 8 (UDP header) leave 65,507; IPv6 counts its 40-byte header apart, which leaves 65,527. Split the data, or use TCP (a stream has no such limit)
hint-no-reply = start a server there (`socktool udp-serve --port { $port }`), or raise --timeout
hint-port-unreachable = start one first, e.g. `socktool udp-serve --port { $port }`
hint-load-mismatch = the server's reply differs from --prefix followed by the message: check --prefix ('' for a pure echo) and --welcome
hint-load-unfinished = the server did not answer every client in time: raise --duration or lower --clients or --messages; clients stuck before their first answer may have overflowed the server's accept queue (see `nstat -az TcpExtListenOverflows`): lower --connect-batch
hint-load-refused = nothing listens there, or its accept queue overflowed: start the server first, or lower --connect-batch
hint-load-turned-away = the server turned { $clients ->
    [one] { $clients } client
   *[other] { $clients } clients
} away, as a full server does (serve-threaded --max-clients): raise the server's --max-clients, or lower --clients
hint-load-io = the server closed or reset connections before the last reply: see the failure lines above
hint-bad-recording = ladder reads what --record writes, one JSON object a line: record each end with `socktool STEP ... --record FILE` and pass those files
hint-refused-web-low = nothing listens on port { $port }, and a web server there needs root: start one on a high port, e.g. `python3 -m http.server 8000 --bind 127.0.0.1` in another terminal, then `socktool http-get localhost:8000`
hint-refused-web = nothing listens on port { $port }: start a web server there first, e.g. `python3 -m http.server { $port } --bind 127.0.0.1`
hint-refused-low = nothing listens on port { $port }, and a server there needs root: start one on a high port, e.g. `socktool serve-threaded --port 8888`, and connect to that port
hint-refused-udp = nothing listens on port { $port }: start a server there first, e.g. `socktool udp-serve --port { $port }`
hint-refused = nothing listens on port { $port }: start a server there first, e.g. `socktool serve-threaded --port { $port }`
hint-refused-far = ; if the server runs on { $ip } but listens on 127.0.0.1 (the default), other machines cannot reach it: start it with --host 0.0.0.0
hint-cert-unknown-issuer = a CA of your own (a classroom's, a company's): trust it with --cacert CA.pem; a public site: the server may not send its intermediate certificate. --insecure would go on unchecked, and then anyone on the path could pose as the server
hint-cert-clock = check this computer's clock (`date`): a clock set wrong makes good certificates look expired or not yet valid; otherwise the server must renew its certificate
hint-cert-wrong-name = ask for a name the certificate lists (e.g. { $name }), or the server is sending another site's certificate
hint-cert-no-name = the server is sending a certificate made for no host name: it must get one for its name
hint-cert-other = the certificate is broken or uses what rustls refuses; `openssl s_client -connect HOST:PORT -showcerts` shows it
hint-tls-alert = the server wants what we did not offer: a TLS version older than 1.2 (rustls refuses 1.0 and 1.1), other cipher suites, or a client certificate; `openssl s_client -connect HOST:PORT` shows what it accepts
hint-tls-incompatible = the server speaks only what rustls refuses as unsafe (TLS 1.0 or 1.1, old cipher suites): the server needs updating
hint-tls-plain-http = this port speaks plain HTTP: use http:// instead of https:// (connect: drop --tls)
hint-tls-not-tls = this port speaks another protocol: `socktool connect HOST PORT` without --tls shows what it says
hint-tls-closed = a server that hangs up on a ClientHello may not speak TLS on this port, or refused us without saying why: check the port
hint-tls-other = `openssl s_client -connect HOST:PORT` shows the handshake from another client's side

## Labels in front of explanations

label-note = note:
label-warning = warning:
label-hint = hint:
label-error = socktool: error:

## What every program that narrates says

unshown-records = { $count ->
    [one] 1 record
   *[other] { $count } records
} not shown: stdout was not being read, or not fast enough, or could not be written (the clients were still served)
unshown-lines = { $count ->
    [one] 1 line
   *[other] { $count } lines
} of narration not shown: stderr was not being read, or not fast enough (the clients were still served)
open-files-raised = raised the open-files limit (RLIMIT_NOFILE) from { $before } to the hard limit { $after }: every socket is one file descriptor
open-files = open-files limit (RLIMIT_NOFILE): { $limit } (the hard limit is { $hard }): every socket is one file descriptor
reachable = listening on { $addr }: { $every ->
    [yes] every network interface, so other machines can reach this server
   *[no] a network address of this machine, so other machines on that network can reach this server
}; --host { $local } keeps it on this machine
