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
resolve-invalid-never = names under .invalid never resolve, RFC 6761
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
err-lab = lab { $scenario }: { $why }
err-no-capture = --pcap needs a capture, and there is none: { $why }
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

hint-resolve-web = check the spelling and your network (`{ $ask }` asks the same resolver); with no network, serve a page yourself: `python3 -m http.server 8000 --bind 127.0.0.1` in another terminal, then `socktool http-get localhost:8000`
hint-resolve = check the spelling and your network: `{ $ask }` asks the same resolver (names in { $hosts_file }, such as localhost, work without a network)
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
console-stdout-unread = stdout is not being read: records are not shown until it is, and are counted (the clients are still served)
console-stderr-dropped = { $count ->
    [one] 1 line
   *[other] { $count } lines
} of narration not shown: stderr was not being read (the clients were still served)
open-files-raised = raised the open-files limit (RLIMIT_NOFILE) from { $before } to the hard limit { $after }: every socket is one file descriptor
open-files = open-files limit (RLIMIT_NOFILE): { $limit } (the hard limit is { $hard }): every socket is one file descriptor
reachable = listening on { $addr }: { $every ->
    [yes] every network interface, so other machines can reach this server
   *[no] a network address of this machine, so other machines on that network can reach this server
}; --host { $local } keeps it on this machine

## http-get

http-tutorial-path = --tutorial sends the tutorial's exact request for /; the path { $path } is not sent
http-received = Received { $bytes } bytes in { $calls ->
    [one] 1 recv call
   *[other] { $calls } recv calls
}
http-one-recv = the tutorial makes one recv({ $size }): it returns whatever has arrived, at most { $size } bytes, so a longer reply is cut here; without Connection: close the server also keeps the connection open, so reading on would wait
http-short-recv = recv({ $size }) returned { $got } bytes: TCP is a stream, so a reply arrives in pieces of any size; keep calling recv
http-closed = recv returned 0: the server closed the connection, the reply is complete
http-redirect = { $status } is a redirect: the server sends us to { $to }; -L follows it, redirect { $hop } of at most { $max }{ $upgrade ->
    [yes] { " " }(from http:// to https://: this hop speaks TLS)
   *[no] {""}
}; its body is not printed
reply-nothing = the server closed without sending any reply: an HTTP server answers every request
reply-ended-in-head = the reply ended in its header, after { $got } bytes: the blank line that ends an HTTP header never came
reply-short = the reply ended { $left } bytes short: its header promised a body of { $promised } bytes (Content-Length), { $arrived } arrived
reply-mid-chunk = the reply ended in the middle of a chunk (Transfer-Encoding: chunked): { $left } of its { $size } bytes missing
reply-between-chunks = the reply ended between chunks (Transfer-Encoding: chunked): the chunk of size 0 that ends the body never came
reply-in-trailer = the reply ended in the trailer after its last chunk: the blank line that ends it never came
reply-head-too-long = the reply's header runs past { $kib } KiB without the blank line that ends it
reply-no-status = the reply's status line has no three-digit status code
reply-bad-length = the reply's Content-Length is not a number
reply-two-lengths = the reply has two different Content-Length headers
reply-endless-line = a line of the reply's chunked body never ends
reply-long-chunk = a chunk of the reply is longer than its size line said
reply-bad-chunk-size = a chunk size line of the reply is not a hexadecimal number (Transfer-Encoding: chunked)

## Servers: waiting, accepting, goodbyes, the summary

eagain = { $call } -> EAGAIN (would block #{ $n }): { $why }; trying again in { $retry }
eagain-recv = the client has sent nothing yet
eagain-send = the client's receive window is full
eagain-accept = no client is waiting
disconnected = Disconnected { $peer } after { $after }s{ $waited }: { $bytes_in } bytes in, { $bytes_out } bytes out; { $ending }
disconnected-waited = { " " }(after { $secs }s in the backlog)
ending-client-closed = the client closed first (recv returned 0)
ending-reset = the client reset the connection ({ $call }: { $errno })
ending-silent = timed out: the client sent nothing for { $after } ({ $option }), the server closed
ending-not-reading = timed out: the client read nothing for { $after } ({ $option }), the server closed
ending-done = the server closed first ({ $why })
ending-behind = the server closed first: { $waiting } bytes waited for the client, past its share of { $limit } (it was not reading)
ending-stopping = the server closed first (shutting down)
done-echoed = echoed, one client served
done-next-client = one recv, one reply: next client
done-full = server full
done-quit = the client typed /quit
nothing-to-echo = the client left without sending anything: there is nothing to echo
discarded = { $bytes } unread bytes discarded, so close does not reset the reply
no-farewell-thread = cannot start the thread for goodbyes ({ $why }): clients turned away are closed at once
client-closed-it = { $peer }: { $why }; closed it
client-set-up-failed = cannot set up this client, closing it: { $why }
turned-away-full = { $peer } turned away: server full ({ $max } connected, --max-clients { $max })
turned-away-thread = { $peer } turned away: cannot start a thread for it ({ $why })
port-zero = port 0 asks the kernel for any free port: it chose { $port }
old-timeout = --timeout { $given } sets --accept-timeout, --idle-timeout and --send-timeout at once, so this server also stops after { $after } with nobody connected; to bound only the clients, use --idle-timeout and --send-timeout
no-open-files-limit = this system has no open-files limit to raise (RLIMIT_NOFILE is Unix's): each socket is a handle, and memory is the limit
open-files-failed = cannot raise the open-files limit (RLIMIT_NOFILE): { $why }
accept-again = accept() works again, after { $failures ->
    [one] 1 failure
   *[other] { $failures } failures
} in a row
accept-failed = accept() -> { $errno }: { $why }; trying again, waiting a little longer each time
accept-emfile = every file descriptor this process may open is in use; the client waits in the queue until one is free
accept-enfile = the whole system is out of file descriptors; the client waits in the queue
accept-enobufs = the kernel is short of memory for sockets
accept-eperm = a firewall rule refused this connection
accept-enetdown = the network went away under this connection
accept-eproto = a handshake went wrong (a protocol error on one connection)
accept-may-pass = this may pass
closing-clients = closing { $count ->
    [one] 1 client
   *[other] { $count } clients
} still connected; each is told { $goodbye } first
stop-signal = Ctrl-C or SIGTERM received: no new clients accepted
reach-no-reason = the system did not say why
reach-cannot-list = cannot list this machine's addresses ({ $why }): students type the one `ip addr` (`ipconfig` on Windows) shows
reach-loopback-only = this machine has no { $family } address but loopback right now (no network?): no other machine can reach it yet
reach-students = students: { $command }
reach-students-on = students: { $command }  ({ $interface })
status-line = { $live } connected now | { $served } served | { $bytes_in } in | { $bytes_out } out
summary = Server stopped: { $served } served, { $bytes_in } bytes in, { $bytes_out } bytes out{ $turned_away }
summary-turned-away = , { $count } turned away ({ $why ->
    [full] server full
   *[thread] no thread
})
pressure = { $why }, which is not reading: not reading from it until it does (backpressure)
pressure-own = { $bytes } bytes of replies wait for this client
pressure-all = { $total } MiB of replies wait for all clients together (the limit is { $limit } MiB), { $bytes ->
    [one] 1 byte
   *[other] { $bytes } bytes
} of them for this one
pressure-off = the client is reading again: reading from it again
backlog-waited = this client waited { $secs }s in the backlog, connected but not yet accepted
backlog-waiting = { $count ->
    [one] 1 client
   *[other] { $count } clients
} waiting in the backlog (limit { $limit })
backlog-lesson = they are connected (the kernel finished their handshakes) but nobody calls accept() until this client is done: one thread serves one client at a time
nonblocking-anyway = --nonblocking changes nothing here: { $step } makes every socket non-blocking
chat-fan-out = one line in, { $copies } out: the server sends each line to every other client itself, one send per client (kept for a client whose kernel will not take it yet)
chat-renamed = is now { $name }
chat-summary = The room: { $lines ->
    [one] 1 line
   *[other] { $lines } lines
} said, { $copies ->
    [one] 1 copy
   *[other] { $copies } copies
} delivered
chat-dropped = dropped: { $waiting } bytes of the room's lines wait for this client, past its share of { $limit }: it is not reading, and the others must not wait for it ({ $thrown } bytes thrown away; it is told why, if it reads in time)

## Client steps: connect, udp-send, udp-ping

connect-typing = connected: type a line and press Enter to send it; Ctrl-D ends your side (shutdown SHUT_WR), Ctrl-C quits
connect-we-closed = we closed first (end of stdin, SHUT_WR); the server answered and then closed its side: recv returned 0
connect-server-closed = the server closed the connection first: recv returned 0, so there is nothing more to read and no one to send to
connect-unfinished = a sendall of { $bytes } bytes was still waiting when the server closed (it stopped reading): those bytes are not counted below
connect-summary = Sent { $sent } bytes, received { $received } bytes
connect-tls-only = { $flag } is for TLS connections: add --tls (socktool connect HOST PORT --tls { $flag } ...)
connect-half-close = end of stdin: shutdown(SHUT_WR) sent FIN, so the server's recv returns 0; we keep reading its answer until it closes
udp-connect = connect() on a UDP socket sends nothing: it fixes the peer, so the kernel keeps only datagrams from { $addr } and can report 'port unreachable' to us
udp-implicit-bind = the kernel bound this socket to { $local } by itself (we never called bind): the server sees port { $port } in the sender's address
udp-sent = Sent one datagram of { $bytes } bytes to { $addr }; waiting up to { $timeout } for a reply
udp-received = Received { $bytes } bytes from { $addr }
udp-ignored = ignored a datagram from { $from }: we are waiting for { $addr }
udp-icmp = recvfrom failed with { $errno }: the ICMP 'port unreachable' answer to our datagram
ping-size = --size { $size } is less than the ping's own text ({ $text } bytes): each is sent whole
ping-duplicate = a second reply to ping { $seq }: a duplicate, not counted
ping-late = the reply to ping { $seq } came after that ping had timed out: late, not counted (lost, as far as the pinger knew then)
ping-stray = a reply of { $bytes } bytes that names no ping (no "Ping N" in it): not counted

## udp-serve

udp-senders = { $over ->
    [yes] over{ " " }
   *[no] {""}
}{ $count ->
    [one] 1 sender
   *[other] { $count } senders
}
udp-summary = Shutting down: { $datagrams ->
    [one] 1 datagram
   *[other] { $datagrams } datagrams
} from { $senders }, { $bytes_in } bytes in, { $bytes_out } bytes out
udp-summary-trouble = ; { $lost } lost on purpose, { $delayed } delayed ({ $options }, --seed { $seed })
udp-summary-overflowed = , { $count } dropped with the delay queue full
udp-summary-held = , { $count } held replies never sent
udp-no-listen = UDP has no listen and no accept: "listening" here only means bound to the address, and there are no connections, so there is nothing to accept. One socket serves every client; each datagram arrives with its sender's address
udp-trouble = { $options }: each datagram's fate is drawn from a pseudo-random generator with seed { $seed } (--seed { $seed } repeats the same fates for the same datagrams)
udp-refused = an earlier reply was refused: { $errno }
udp-recvfrom = recvfrom returned the datagram and its sender's address; the reply goes back with sendto to that address
udp-cut = the datagram was { $len } bytes but recvfrom asked for { $asked }: the kernel discarded the last { $lost } (a datagram is read whole or cut, never in pieces); raise --recv-size
udp-cut-unknown = the datagram was longer than the { $asked } bytes recvfrom asked for: the kernel discarded the rest (a datagram is read whole or cut, never in pieces), and this system does not say how much (Linux does); raise --recv-size
udp-empty = an empty datagram: for UDP, recvfrom returning 0 means 0 bytes arrived, not that anyone closed anything
udp-datagram = Received a datagram of { $bytes } bytes
udp-lost = datagram #{ $number } lost on purpose ({ $option }): not answered, as if the network had dropped it
udp-at-once = datagram #{ $number }: not lost, answered at once
udp-held = datagram #{ $number }: reply held { $ms } ms ({ $option })
udp-queue-full = datagram #{ $number } dropped: { $held } replies are held already (the most --delay keeps at once)
udp-too-big = not answered: the reply would be { $bytes } bytes, over the { $limit } limit of one UDP datagram (EMSGSIZE)
udp-sendto-failed = not answered: sendto failed: { $errno }

## Bad hosts, ports and URLs on the command line (and in a redirect)

target-empty-host = the host is empty: give a name such as localhost or an address such as 127.0.0.1
target-open-bracket = '{ $text }' opens a [ but does not close it: write [::1]
target-open-bracket-port = '{ $text }' opens a [ but does not close it: write [::1]:8080
target-after-bracket = unexpected '{ $text }' after ']': write [::1]:8080
target-bad-v6 = '{ $text }' is not a valid IPv6 address (for host:port with IPv6, write [::1]:8080)
target-empty-zone = '{ $text }' has an empty zone after %: write fe80::1%eth0
target-no-interface = '{ $text }': no network interface named '{ $zone }' (see `ip link` for names)
target-long-name = the host name is { $len } characters long; DNS allows at most { $max }
target-empty-label = '{ $text }' has an empty label (two dots in a row, or a leading dot)
target-long-label = a label of '{ $text }' is { $len } characters long; DNS allows at most { $max } between dots
target-bad-char = '{ $text }' contains { $char }, which a host name cannot: use letters, digits, '-' and '.'
target-hyphen = '{ $text }' has a label that starts or ends with '-', which a host name cannot
target-numeric = '{ $text }' is neither an IP address nor a host name: an IPv4 address is four numbers 0-255 (127.0.0.1)
target-empty = the target is empty: give a host, host:port or http://host/path
target-slashes = '{ $text }': { $missing ->
    [one] a slash is
   *[two] two slashes are
} missing after { $scheme } write { $fixed }
target-scheme = the scheme { $scheme }:// is not supported: socktool speaks HTTP and HTTPS only (http://host/path, https://host/path)
target-empty-location = the Location header is empty
target-credentials = user@host (credentials in the URL) is not supported: socktool sends no authentication
target-v6-port = '{ $text }' is an IPv6 address or an address and a port: an IPv6 address with a port needs brackets, [{ $addr }]:{ $port } (or [{ $text }] for the address alone)
target-path-char = the path contains { $char }, which cannot go in a request line: percent-encode it (a space is %20)
target-percent = bad percent-escape at '{ $text }' in the path: % must be followed by two hex digits (%25 for % itself)
port-empty = the port is empty: give a number from 1 to 65535
port-zero-client = port 0 is for servers (the OS picks a free one); a client must name a port from 1 to 65535
port-out-of-range = port { $port } is out of range: ports go from 1 to 65535
port-not-a-number = port '{ $text }' is not a number from 1 to 65535

## Ctrl-C

second-ctrl-c = second Ctrl-C: exiting at once (exit { $code }); replies still on their way are cut off

## Bad options (usage errors, exit 2)

bind-v4-with-6 = --host { $host } is an IPv4 address, but -6 asks for IPv6: use --host ::1 (this machine) or ::, or drop -6
bind-v6-with-4 = --host { $host } is an IPv6 address, but -4 asks for IPv4: use --host 127.0.0.1 (this machine) or 0.0.0.0, or drop -4
bind-mapped = --host { $host } is an IPv4 address written as IPv6 (::ffff:...): use --host { $v4 } instead, or :: for every IPv6 interface
bind-open-bracket = '{ $text }' opens a [ but does not close it
bind-bad-host = '{ $text }' is not an address to listen on: use 127.0.0.1 (this machine), 0.0.0.0 or '' (every interface), ::1 or ::
listen-port-out-of-range = port { $port } is out of range: a server port goes from 0 to 65535
listen-port-empty = the port is empty: give a number from 0 to 65535 (0: the OS picks one)
listen-port-not-a-number = '{ $text }' is not a port number from 0 to 65535 (0: the OS picks one)
recv-size-zero = a recv of 0 bytes would always return 0, which means 'the peer closed': give 1 or more
recv-size-too-large = { $bytes } bytes is too large for one recv: at most { $max } (16 MiB)
recv-size-not-a-number = '{ $text }' is not a number of bytes (e.g. 1024)
percent-not-a-number = '{ $text }' is not a percentage (e.g. 30 or 2.5)
percent-out-of-range = { $text } is not a percentage from 0 to 100
delay-not-a-number = '{ $text }' is not a delay: give milliseconds, 30 or a range 10-50
delay-backwards = the delay range { $range } runs backwards: give the smaller number first
delay-too-long = { $ms } ms is too long a delay: at most { $max } (a minute)
secs-not-a-number = '{ $text }' is not a number of seconds (e.g. 10 or 0.5)
secs-nan = NaN is not a number of seconds: give e.g. 10 or 0.5
secs-not-positive = { $what ->
    [interval] an interval must be above 0 seconds (got { $text })
   *[timeout] a timeout must be above 0 seconds (got { $text }): a socket timeout of 0 means 'wait forever'
}
secs-too-long = { $text } seconds is too long: at most { $max } (one day)
quiet-conflict = the argument '--quiet' cannot be used with '{ $other }': --quiet hides the narration { $other } adds to
port-is-an-option = a server's port is an option: socktool { $step } --port { $port }
useless-option = { $flag } does nothing for `socktool { $step }`: { $why }
useless-load = load sums up its clients instead of narrating each call
useless-hex = it dumps the bytes a step sends and receives, and { $step } sends none
useless-trace = { $step } makes no socket calls to trace
useless-quiet = { $step } prints no narration to hide

## load: many clients at once, and the report

load-plan = Loading { $addr }: { $clients } clients x { $messages ->
    [one] 1 message
   *[other] { $messages } messages
} of { $size } bytes{ $hold ->
    [yes] { " " }then holding
   *[no] {""}
}{ $welcome ->
    [yes] { " " }after a welcome line
   *[no] {""}
}, expecting { $expecting }, { $threads ->
    [one] 1 thread
   *[other] { $threads } threads
}, at most { $duration }
load-pure-echo = a pure echo
load-prefixed = "{ $prefix }" + message
load-bar-served = clients served
load-bar-trips = round trips
load-holding = Holding { $held } connections ({ $failed } failed) until --duration ends in { $secs }s
load-connected = Connected { $connected } of { $clients } clients; { $finished } finished{ $held ->
    [yes] { " " }(held to the end)
   *[no] {""}
}
load-verified = { $trips } round trips of { $size } bytes verified in { $secs }s: { $rate } msgs/s
load-latency = Round-trip latency: p50 { $p50 }, p99 { $p99 }, max { $max }
load-served = Every client served in { $secs }s
load-turned-away = { $count ->
    [one] 1 client
   *[other] { $count } clients
} turned away by the server
load-failed = { $count } client(s): { $label }
load-first = { $how_many }; first: { $first }
load-story-welcome-closed = client { $id }: the server closed the connection before its welcome line ({ $got } bytes of it)
load-story-after-welcome = client { $id }: the server sent { $n } bytes after its welcome line before any message: "{ $shown }"
load-story-no-newline = client { $id }: no '\n' in the first { $got } bytes: not a welcome line (drop --welcome?)
load-story-closed-mid-reply = client { $id }: the server closed the connection after { $done } of { $total } replies in the middle of reply { $reply } ({ $got } of { $len } bytes)
load-story-closed-before-reply = client { $id }: the server closed the connection after { $done } of { $total } replies before reply { $reply }
load-story-held-closed = client { $id }: the server closed a held connection
load-story-held-bytes = client { $id }: the server sent { $n } unexpected bytes to a held connection: "{ $shown }"
load-story-io = client { $id }: { $call }: { $error }
load-story-turned-away = client { $id }: the server sent one line, "{ $line }", and closed the connection
load-story-wrong-byte = reply byte { $pos } is '{ $got }', expected '{ $want }'
load-story-extra-bytes = { $extra } bytes more than the { $len }-byte reply
load-story-mismatch = client { $id }, message { $message }: { $what } (expected "{ $expected }", received from byte { $from }: "{ $received }")
load-story-connect = client { $id }: connect to { $addr }: { $error }
load-out-of-ports = out of ephemeral ports: spread clients with --sources N
load-out-of-fds = out of file descriptors
load-interrupted = stopped by Ctrl-C
fail-refused = connection refused
fail-turned-away = turned away by the server
fail-connect = could not connect
fail-closed = the server closed the connection early
fail-io = the connection failed (reset or error)
fail-mismatch = a reply was wrong
fail-unfinished = not finished when the run ended
load-sources = --sources { $sources } needs { $ip }, which is not an address of this machine ({ $errno }): { $add }
load-sources-macos = macOS's loopback has only 127.0.0.1 until you add more, as root: `for i in $(seq 2 { $sources }); do ifconfig lo0 alias 127.0.0.$i up; done`
load-sources-add = add it to the loopback interface, or lower --sources
load-sources-far = --sources spreads clients over 127.0.0.X, which can only reach a loopback server; { $ip } is not one
load-too-many-files = --clients { $clients } needs { $needed } open files, but this process may open at most { $limit }: lower --clients, or raise the hard limit (as root: ulimit -Hn { $raise })

## TLS: the handshake told as it happens, certificates, trust

tls-setup = TLS cannot be set up: { $why }
tls-offered = TLS 1.3 and 1.2 with { $suites ->
    [one] 1 cipher suite
   *[other] { $suites } cipher suites
}
tls-handshake = TLS handshake with { $host }: the same socket now carries TLS records
tls-sni = server name (SNI) { $name }
tls-no-sni = no server name (SNI carries names, not addresses)
tls-no-alpn = no ALPN
tls-suite = cipher suite { $suite }
tls-no-suite = no cipher suite yet
tls-group = , key exchange { $group }
tls-chain = < Certificate: { $count ->
    [one] 1 certificate
   *[other] { $count } certificates
} from the server, its own first:
tls-unreadable = { "  " }{ $index } (not a certificate x509-parser can read)
tls-verified = Certificate verified: signed by a CA we trust ({ $roots }), valid now, made out for { $host }
tls-insecure-unneeded = --insecure was not needed: the certificate verifies
tls-insecure = --insecure: the certificate was NOT verified, and would have failed ({ $why }); the connection is encrypted, but nothing proves it is with { $host }: anyone on the path can pose as the server, then read and change everything
tls-13-encrypts = TLS 1.3 encrypts everything after the ServerHello, the certificate too: on the wire (and in --hex) those records are application_data (17 03 03); with --keylog, Wireshark can open them
tls-keylog-lost = { $lost } of this connection's secrets could not be written to { $path } ({ $from })
tls-keylog = this connection's secrets appended to { $path } ({ $from }), in the NSS key log format: with them Wireshark decrypts a capture of it, and so can anyone who has the file
tls-done = handshake done: from here on every byte on the socket is encrypted, in application_data records (17 03 03 ...); the request and the reply travel inside
tls-close-notify = the server sent close_notify: TLS's own "I am done", so the end of the stream is really the server's
tls-no-close-notify = the server closed TCP without TLS's close_notify: the end is not authenticated (anyone on the path could cut the stream here); the application's own framing must tell whether all of it came
tls-sent-close-notify = sent close_notify: TLS's "nothing more from me", before the FIN that TCP's shutdown sends
tls-bad-name = { $name } is not a name a certificate can carry (letters, digits, '-' and '.'): connect by another name or by address
tls-too-old = the server does not speak TLS 1.2 or 1.3, the oldest rustls accepts
tls-no-common-suite = the server chose a cipher suite we did not offer
tls-no-common-group = the server wants a key exchange we did not offer
tls-no-common-signature = the server signs with an algorithm we did not offer
tls-mozilla-roots = Mozilla's list of { $count } roots, compiled into socktool
tls-certificates = { $count ->
    [one] 1 certificate
   *[other] { $count } certificates
}
ca-unreadable = cannot read it: { $why }
ca-not-pem = not a PEM file: { $why }
ca-refused = its { $count } certificate(s) cannot be used as roots
ca-empty = it holds no certificate (no -----BEGIN CERTIFICATE----- block)
cert-none = the server sent no certificate
cert-ca-as-host = the server's own certificate is a CA's (basicConstraints CA:TRUE): a CA signs certificates, it cannot be one for a host
cert-bad-signature = a signature in the chain does not match: the certificate was changed, or signed by another key than its issuer's
cert-line-ca = { "    " }(a CA: it signs certificates, it names no host)
cert-not-yet = not valid for { $span } yet
cert-expired-ago = expired { $span } ago
cert-left = { $span } left
span = { $unit ->
    [day] { $count ->
        [one] 1 day
       *[other] { $count } days
    }
    [hour] { $count ->
        [one] 1 hour
       *[other] { $count } hours
    }
    [minute] { $count ->
        [one] 1 minute
       *[other] { $count } minutes
    }
   *[second] { $count ->
        [one] 1 second
       *[other] { $count } seconds
    }
}

## resolve, man, serve-loop

resolve-pasted = resolve takes a host name: resolving { $host } from { $pasted } (a URL's scheme, port and path are not part of the name)
resolve-more = gethostbyname returns one IPv4 address; { $name } has { $hidden } more (see --all)
man-wrote = wrote { $path }
man-where = `man socktool-resolve` finds these pages when { $dir } is a man1 directory under one of the paths `manpath` prints
backlog-unseen = this system does not say how many clients wait in the backlog (Linux's TCP_INFO does): they still wait while one client is served, unseen
loop-max-clients = served { $count ->
    [one] 1 client
   *[other] { $count } clients
} (--max-clients): stopping
loop-empty-recv = an empty recv: this client left without sending. The tutorial's loop would `break` and stop the whole server here; socktool closes this client and keeps serving

## clap's usage errors, in clap's own words. English never uses these
## (clap prints its English itself); they are here so every language has
## the same ids. The --help texts (help-*) of other languages have their
## English in cli.rs's doc comments, so en.ftl has none.

usage-error = error:
usage-tip = tip:
usage-more = For more information, try { $what }.
usage-invalid-value = invalid value { $value } for { $arg }
usage-unexpected = unexpected argument { $arg } found
usage-unknown-subcommand = unrecognized subcommand { $name }
usage-missing = the following required arguments were not provided:
usage-no-value = a value is required for { $arg } but none was supplied
usage-conflict = the argument { $arg } cannot be used with { $other }
usage-similar = a similar argument exists: { $similar }

## ladder: the notes around the drawing, and its legend (the drawing's
## own labels are calls, segments and states: not translated)

ladder-wrote-svg = wrote the ladder as SVG to { $path }
ladder-no-calls = the file holds no calls
ladder-too-narrow = { $ends } ends do not fit side by side in { $width } columns (at most { $most } do): give --width { $need }, or draw it with --svg FILE or --mermaid
ladder-legend-handshake = connect: the handshake (drawn when connect began)
ladder-legend-data = bytes sent
ladder-legend-segment = a segment on the wire
ladder-legend-waits = (poll waits not drawn)
ladder-legend-separator = {"; "}

## lab: its scenarios' lessons, where it ran, and why the wire is missing

lab-lesson-handshake = connect sends SYN, the listening kernel answers SYN-ACK, the ACK completes it: accept only takes a finished connection
lab-lesson-echo = the tutorial's serve-once conversation: connect, send, the echo, and the server closes first
lab-lesson-half-close = shutdown(SHUT_WR) sends a FIN, and the server still answers: the other direction stays open
lab-lesson-reset = SO_LINGER 0 turns close into a reset (RST): the peer's recv fails with ECONNRESET
lab-lesson-refused = a socket bound but not listening: the SYN is answered by RST, and connect fails with ECONNREFUSED
lab-lesson-backlog-full = listen(1) and three clients: the full accept queue drops the third SYN, which is retransmitted a second later
lab-lesson-time-wait = whoever closes first keeps TIME_WAIT for 60 s: the server in one conversation, the client in the next
lab-lesson-nagle = two small writes: Nagle holds the second until the peer's delayed ACK (~40 ms); TCP_NODELAY sends it at once
lab-lesson-udp = datagrams: no handshake, no ACK, no FIN; one sendto is one datagram is one recvfrom
lab-no-scenario = name a scenario ({ $names }), or --list to see what each shows
lab-unknown-scenario = there is no scenario { $name }; the scenarios are: { $names } (socktool lab --list says what each shows)
lab-no-namespace-given = --no-namespace was given
lab-ran-in = ran in { $how }; { $count ->
    [one] 1 segment
   *[other] { $count } segments
} captured on its loopback
lab-no-wire = no wire column: { $why }; the calls are drawn from this machine's loopback, with the arrows they imply
lab-wrote-pcap = wrote { $count ->
    [one] 1 frame
   *[other] { $count } frames
} to { $path } (open it in Wireshark, or: tcpdump -nr { $path })
lab-not-linux = capturing the segments needs a private network namespace, which is Linux's ({ $os } has none): run socktool lab on Linux to see the wire
lab-ns-root = a private network namespace (as root)
lab-ns-user = private user and network namespaces (no root needed)
lab-ns-map = made a user namespace but could not map this user into it ({ $error })
lab-ns-lo = could not bring the namespace's loopback up ({ $error })
lab-ns-threads = unshare(CLONE_NEWUSER) refuses a process with more than one thread ({ $errno })
lab-ns-no-more = this machine allows no more user namespaces ({ $errno }): raise user.max_user_namespaces, or run as root
lab-ns-refused = this kernel does not let an unprivileged user make namespaces ({ $errno }): run as root (sudo), or allow them with sysctl kernel.unprivileged_userns_clone=1 (Ubuntu: kernel.apparmor_restrict_unprivileged_userns=0)

## lab: when one of a scenario's ends does not do what the scenario needs

lab-wait-accept = a client to accept
lab-wait-handshake = the finished handshake
lab-wait-datagram = a datagram
lab-waited = waited { $after } for { $what } on { $addr }
lab-no-exe = cannot find socktool itself: { $error }
lab-cannot-start = cannot start socktool { $step }: { $error }
lab-no-address = no address in { $line }
lab-never-said = never said { $text }
lab-cannot-write = cannot write to its stdin: { $error }
lab-did-not-exit = did not exit
lab-cannot-wait = cannot wait for it: { $error }
lab-exited = exited { $code }, not { $want }: { $last }
lab-reset-missed = after the reset the server's recv should fail with ECONNRESET, but it returned { $got }
lab-third-panicked = the third client's thread panicked
lab-capture-panicked = the capture thread panicked
