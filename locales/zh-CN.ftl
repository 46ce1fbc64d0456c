### socktool 的中文:给学 socket 的同学看的讲解。
###
### 术语和中文教材一致:套接字(socket)、三次握手、四次挥手、半关闭、
### 等待队列(backlog)、数据报、字节流、非阻塞、超时。教程自己的那些句子
### (Socket created、Connected with ...)、系统调用名和 errno 名保持英文,
### 不在这里。`{ $name }` 由程序填入,每一个都必须保留(有测试检查)。
### 中文没有单复数之分:复数规则只有 other。

## 语言

lang-unknown = socktool 会说的语言:{ $known }

## 计数

count-clients = { $count } 个客户端

## 错误:每个错误一行,跟在 `socktool: 错误:` 后面

err-no-address = { $host } 没有 { $family } 地址
resolve-invalid-never = .invalid 下的名字永远解析不了,见 RFC 6761
err-reverse-lookup = { $addr } 没有对应的主机名:{ $reason }
err-connect = 无法连接到 { $addr }:{ $errno }
err-timeout = { $phase ->
    [connect] 连接 { $addr }
    [read] 从 { $addr } 读数据
    [write] 向 { $addr } 写数据
    [accept] 在 { $addr } 上等待客户端
   *[handshake] 与 { $addr } 进行 TLS 握手
}超时(等了 { $after })
err-call = { $op } 失败:{ $errno }
err-io = { $op } 失败({ $addr }):{ $errno }
err-too-large = 响应超过了 --max-bytes { $limit },收到 { $limit } 字节后就停止了
err-server-timeout = { $phase ->
    [connect] 连接 { $addr }
    [read] 从 { $addr } 读数据
    [write] 向 { $addr } 写数据
    [accept] 在 { $addr } 上等待客户端
   *[handshake] 与 { $addr } 进行 TLS 握手
}超时(等了 { $after },{ $option })
err-stalled = 从 { $addr } 读数据超时(等了 { $after }):先收到 { $got } 字节,之后再没有数据
err-max-time = 到了 --max-time { $after } 就放弃了:与 { $addr } 的交互还没结束(目前收到 { $got } 字节响应)
err-not-http = { $addr } 的回答不是 HTTP:"{ $start }"(HTTP 响应以 HTTP/1.1 和状态码开头)
err-bad-reply = 来自 { $addr } 的响应无法按 HTTP 解析:{ $why }
err-incomplete = 来自 { $addr } 的响应不完整:{ $what }
err-certificate = 无法信任 { $addr } 的证书:{ $problem }
err-tls = 与 { $addr } 的 TLS { $during ->
    [handshake] 握手
   *[connection] 连接
}失败:{ $failure }
err-ca-file = --cacert { $path }:{ $why }
err-too-many-redirects = 重定向了 { $max } 次(--max-redirs)就放弃了:{ $last } 又把我们转到了别处
err-bad-redirect = 无法跟随来自 { $addr } 的重定向:{ $why }
err-stdout = 无法把数据写到 stdout:{ $source }
err-write-file = 无法写入 { $path }:{ $source }
err-read-file = 无法读取 { $path }:{ $source }
err-bad-recording = { $path } 第 { $line } 行:不是 socktool 的记录({ $why })
err-lab = lab { $scenario }:{ $why }
err-no-capture = --pcap 要写抓到的包,可这里什么也没抓到:{ $why }
err-stdin = 无法读取 stdin:{ $source }
err-datagram-too-large = 消息有 { $size } 字节,但一个 { $family } UDP 数据报最多只能装 { $limit } 字节
err-datagram-over-limit = 消息超过了 { $limit } 字节,而一个 { $family } UDP 数据报最多只能装 { $limit } 字节
err-no-reply = { $after } 内没有收到 { $addr } 的回复:UDP 不保证送达,数据报或它的回复可能丢了,也可能那个端口上根本没有程序在应答
err-no-pong = 发给 { $addr } 的 { $sent } 个 ping 一个回复都没有:UDP 不保证送达,可能每个 ping 或每个回复都丢了,也可能那个端口上根本没有程序在应答
err-port-unreachable = { $addr } 回了 ICMP 端口不可达(ECONNREFUSED):UDP 端口 { $port } 上没有程序在监听
err-load = { $clients } 个客户端中有 { $failed } 个失败:{ $first }
err-stdout-closed = stdout 已关闭

## 为什么证书不可信,为什么 TLS 握手失败

cert-unknown-issuer = 签发者未知:它由 "{ $issuer }" 签发,这个 CA 不在我们信任的 CA 之列({ $trusted })
cert-expired = 证书已过期:有效期到 { $until } 为止,已经过了 { $ago }
cert-not-yet-valid = 证书还没生效:从 { $from } 起才有效
cert-wrong-name-none = 证书对主机名 { $asked } 无效:它根本没写任何主机名
cert-wrong-name = 证书对主机名 { $asked } 无效:它只对 { $names } 有效
tls-alert = 服务器用告警 { $name }({ $code })拒绝了我们;我们提供的是 { $offered }
tls-incompatible = { $why }(服务器的 hello 选了 { $chose })
tls-plain-http = 服务器回答的是明文 HTTP,不是 TLS:"{ $start }"
tls-not-tls = 服务器回的字节不是 TLS:"{ $start }"(TLS 记录以十六进制 15、16 或 17 开头,接着是 03)
tls-closed = 握手进行到一半,服务器一声不响地关闭了连接(没有发告警)

## 建议:错误的下一行,告诉你该怎么办

hint-resolve-web = 检查拼写和网络(`{ $ask }` 用的是同一个解析器);没有网络的话,自己提供一个网页:在另一个终端运行 `python3 -m http.server 8000 --bind 127.0.0.1`,再运行 `socktool http-get localhost:8000`
hint-resolve = 检查拼写和网络:`{ $ask }` 用的是同一个解析器({ $hosts_file } 里的名字,例如 localhost,没有网络也能解析)
hint-no-address = { $host } 有地址,但没有 { $family } 地址:改用 { $flag }
hint-connect-timed-out = 三次握手没有得到回应:可能被防火墙丢弃了,或者服务器的等待队列(backlog)已满;调大 --timeout,或者检查地址
hint-no-route = 没有通往这个地址的路由:检查地址和网络
hint-timeout = { $phase ->
    [connect] 三次握手没有得到回应:调大 --timeout,或者检查地址
    [read] 对方已经连上,但在时限内什么都没发:调大 --timeout,或者确认它是不是在等你先发请求
    [write] 对方不再读数据,它的接收窗口已满:调大 --timeout,或者检查对方
    [accept] 时限内没有客户端连上来:调大 --timeout,或者连一个上来,例如 `telnet HOST PORT`
   *[handshake] 服务器接受了连接,却一直没完成握手:那个端口上的服务器如果不讲 TLS,就会等我们先开口(试试 http://,或者去掉 --tls);也可以调大 --timeout
}
hint-server-timeout = { $phase ->
    [accept] { $option } 之内没有人连上来:连一个客户端上来(例如 `telnet HOST PORT`),或者调大 { $option }
    [write] 客户端不再读我们的回复:{ $option } 就是为这种情况设的;客户端慢的话就调大它
   *[other] 客户端连上了,却什么都没发:{ $option } 就是为这种情况设的;客户端需要更久的话就调大它
}
hint-bind-time-wait = 端口 { $port } 被占用:可能有服务器还在运行,也可能是刚停掉的服务器留下的连接,它们要在 TIME_WAIT 状态里等一分钟:去掉 --no-reuse-address(SO_REUSEADDR 让重启的服务器不必等 TIME_WAIT 结束),或者换一个 --port
hint-bind-in-use = 端口 { $port } 被另一个还在运行的服务器占着:停掉它,或者换一个 --port(0 表示让操作系统挑一个)
hint-bind-privileged = 1024 以下的端口需要特权:用 1023 以上的端口,例如 --port { $port }
hint-bind-not-local = { $ip } 不是本机的地址:用 127.0.0.1、0.0.0.0,或者 `ip addr` 列出的某个地址
hint-bind-other = 检查 --host 和 --port
hint-reset = 对方复位(RST)了连接(它在还有未读数据时关闭了连接,或者崩溃了)
hint-broken-pipe = 我们还没发完,对方就关闭了它那一端
hint-too-large = 调大 --max-bytes 才能收到更多
hint-ca-file = 给出一个装着 CA 证书的 PEM 文件(-----BEGIN CERTIFICATE-----),例如签发课堂服务器证书的那个 ca.pem
hint-too-many-redirects = 服务器让我们绕圈子,或者重定向链比 --max-redirs 还长:调大 --max-redirs,或者自己去取最后那个 Location
hint-bad-redirect = 自己去取那个 Location,或者去掉 -L,看服务器发来的重定向原文
hint-stalled = 服务器的响应发到一半停了:调大 --timeout,或者检查服务器
hint-max-time = 服务器太慢,或者发个没完:如果只是响应大(或网络慢),就调大 --max-time
hint-not-http = http-get 用 HTTP 和 Web 服务器对话;serve-threaded 这样按行收发的服务器请用 `socktool connect { $ip } { $port }`;想找个 Web 服务器试试:`python3 -m http.server 8000 --bind 127.0.0.1`
hint-incomplete = 服务器没发完就关闭了:它崩溃了或被停掉了,或者连接断了;再试一次,或者检查服务器
hint-datagram-too-large = 长度字段只有 16 位:IPv4 包最多 65,535 字节,减去 IP 首部 20 字节和 UDP 首部 8 字节,剩下 65,507;IPv6 的 40 字节首部另算,剩下 65,527。把数据拆开发,或者改用 TCP(字节流没有这个限制)
hint-no-reply = 在那里启动一个服务器(`socktool udp-serve --port { $port }`),或者调大 --timeout
hint-port-unreachable = 先启动一个,例如 `socktool udp-serve --port { $port }`
hint-load-mismatch = 服务器的回复不是 --prefix 加上原消息:检查 --prefix(纯回显用 '')和 --welcome
hint-load-unfinished = 服务器没能及时应答每个客户端:调大 --duration,或者调小 --clients 或 --messages;卡在第一次应答之前的客户端可能把服务器的等待队列(backlog)挤满了(见 `nstat -az TcpExtListenOverflows`):调小 --connect-batch
hint-load-refused = 那里没有程序在监听,或者它的等待队列(backlog)满了:先启动服务器,或者调小 --connect-batch
hint-load-turned-away = 服务器满了,像满员的服务器那样拒绝了 { $clients } 个客户端(serve-threaded --max-clients):调大服务器的 --max-clients,或者调小 --clients
hint-load-io = 服务器在最后一次回复之前关闭或复位了连接:见上面那些失败的行
hint-bad-recording = ladder 读的是 --record 写的文件,每行一个 JSON 对象:用 `socktool STEP ... --record FILE` 把两端各记录下来,再把这些文件交给它
hint-refused-web-low = 端口 { $port } 上没有程序在监听,而且在那里开 Web 服务器需要 root:换个高端口启动一个,例如在另一个终端运行 `python3 -m http.server 8000 --bind 127.0.0.1`,再运行 `socktool http-get localhost:8000`
hint-refused-web = 端口 { $port } 上没有程序在监听:先在那里启动一个 Web 服务器,例如 `python3 -m http.server { $port } --bind 127.0.0.1`
hint-refused-low = 端口 { $port } 上没有程序在监听,而且在那里开服务器需要 root:换个高端口启动一个,例如 `socktool serve-threaded --port 8888`,再连那个端口
hint-refused-udp = 端口 { $port } 上没有程序在监听:先在那里启动一个服务器,例如 `socktool udp-serve --port { $port }`
hint-refused = 端口 { $port } 上没有程序在监听:先在那里启动一个服务器,例如 `socktool serve-threaded --port { $port }`
hint-refused-far = ;如果服务器在 { $ip } 上运行,却只监听 127.0.0.1(默认如此),别的机器就连不上它:启动时加上 --host 0.0.0.0
hint-cert-unknown-issuer = 如果是你们自己的 CA(课堂的、公司的):用 --cacert CA.pem 信任它;如果是公共网站:服务器可能没有发送中间证书。--insecure 会跳过检查继续,但那样一来,路径上的任何人都能冒充服务器
hint-cert-clock = 检查这台电脑的时钟(`date`):时钟不对,好好的证书也会显得已过期或还没生效;时钟没问题的话,就是服务器该更新证书了
hint-cert-wrong-name = 换一个证书里列出的名字(例如 { $name }),否则就是服务器发来了别的网站的证书
hint-cert-no-name = 服务器发来的证书没有写任何主机名:它得为自己的名字申请一张证书
hint-cert-other = 证书坏了,或者用了 rustls 拒绝的东西;`openssl s_client -connect HOST:PORT -showcerts` 可以把它显示出来
hint-tls-alert = 服务器要的东西我们没提供:比 1.2 更老的 TLS 版本(rustls 拒绝 1.0 和 1.1)、别的密码套件,或者客户端证书;`openssl s_client -connect HOST:PORT` 能看出它接受什么
hint-tls-incompatible = 服务器只会 rustls 认为不安全而拒绝的东西(TLS 1.0 或 1.1、老旧的密码套件):该升级服务器了
hint-tls-plain-http = 这个端口讲的是明文 HTTP:把 https:// 换成 http://(connect:去掉 --tls)
hint-tls-not-tls = 这个端口讲的是别的协议:不带 --tls 的 `socktool connect HOST PORT` 能看到它说了什么
hint-tls-closed = 收到 ClientHello 就挂断的服务器,可能在这个端口上不讲 TLS,也可能不说原因地拒绝了我们:检查端口
hint-tls-other = `openssl s_client -connect HOST:PORT` 能从另一个客户端的角度看这次握手

## 讲解前面的标签

label-note = 说明:
label-warning = 警告:
label-hint = 提示:
label-error = socktool: 错误:

## 所有会讲解的程序都会说的话

unshown-records = 有 { $count } 条记录没有显示:没有人在读 stdout,或者读得不够快,或者写不进去(客户端照常得到了服务)
unshown-lines = 有 { $count } 行讲解没有显示:没有人在读 stderr,或者读得不够快(客户端照常得到了服务)
console-stdout-unread = 没有人在读 stdout:在有人读之前,记录不再显示,只计数(客户端照常得到服务)
console-stderr-dropped = 有 { $count } 行讲解没有显示:当时没有人在读 stderr(客户端照常得到了服务)
open-files-raised = 把打开文件数上限(RLIMIT_NOFILE)从 { $before } 提高到了硬上限 { $after }:每个套接字都占一个文件描述符
open-files = 打开文件数上限(RLIMIT_NOFILE):{ $limit }(硬上限是 { $hard }):每个套接字都占一个文件描述符
reachable = 正在监听 { $addr }:{ $every ->
    [yes] 这是所有网络接口,别的机器都能连上这个服务器
   *[no] 这是本机的一个网络地址,同一网络上的别的机器都能连上这个服务器
};用 --host { $local } 可以只让本机访问

## http-get

http-tutorial-path = --tutorial 只按教程原样请求 /;路径 { $path } 不会发出去
http-received = 共收到 { $bytes } 字节,用了 { $calls } 次 recv 调用
http-one-recv = 教程只调用一次 recv({ $size }):它返回已经到达的数据,最多 { $size } 字节,所以更长的响应在这里被截断了;请求里没有 Connection: close,服务器也不会关闭连接,所以接着读下去只会一直等
http-short-recv = recv({ $size }) 只返回了 { $got } 字节:TCP 是字节流,响应会分成大小不定的几段到达;要继续调用 recv
http-closed = recv 返回 0:服务器关闭了连接,响应收全了
http-redirect = { $status } 是重定向:服务器让我们去 { $to };-L 会跟过去,这是第 { $hop } 次重定向,最多 { $max } 次{ $upgrade ->
    [yes] (从 http:// 换成 https://:这一跳讲 TLS)
   *[no] {""}
};它的正文不打印
reply-nothing = 服务器什么响应都没发就关闭了:HTTP 服务器对每个请求都会应答
reply-ended-in-head = 响应在首部里就结束了,只有 { $got } 字节:结束 HTTP 首部的那个空行一直没来
reply-short = 响应少了 { $left } 字节:首部承诺正文有 { $promised } 字节(Content-Length),只到了 { $arrived } 字节
reply-mid-chunk = 响应在一个分块的中间结束了(Transfer-Encoding: chunked):这个块的 { $size } 字节里缺了 { $left } 字节
reply-between-chunks = 响应在两个分块之间结束了(Transfer-Encoding: chunked):结束正文的那个大小为 0 的块一直没来
reply-in-trailer = 响应在最后一个分块之后的尾部里结束了:结束尾部的那个空行一直没来
reply-head-too-long = 响应的首部超过了 { $kib } KiB,还没有出现结束它的空行
reply-no-status = 响应的状态行里没有三位数的状态码
reply-bad-length = 响应的 Content-Length 不是数字
reply-two-lengths = 响应里有两个不同的 Content-Length 首部
reply-endless-line = 响应的分块正文里有一行一直没有结束
reply-long-chunk = 响应里有一个块比它的大小行说的要长
reply-bad-chunk-size = 响应里有一个块的大小行不是十六进制数(Transfer-Encoding: chunked)

## 服务器:等待、accept、告别、总结

eagain = { $call } -> EAGAIN(第 { $n } 次会阻塞):{ $why };{ $retry } 后再试
eagain-recv = 客户端还什么都没发
eagain-send = 客户端的接收窗口满了
eagain-accept = 没有客户端在等待
disconnected = 已断开 { $peer },连接了 { $after }s{ $waited }:收到 { $bytes_in } 字节,发出 { $bytes_out } 字节;{ $ending }
disconnected-waited = (之前在等待队列里等了 { $secs }s)
ending-client-closed = 客户端先关闭(recv 返回 0)
ending-reset = 客户端复位了连接({ $call }:{ $errno })
ending-silent = 超时:客户端 { $after } 没发任何数据({ $option }),服务器关闭了连接
ending-not-reading = 超时:客户端 { $after } 没读任何数据({ $option }),服务器关闭了连接
ending-done = 服务器先关闭({ $why })
ending-behind = 服务器先关闭:有 { $waiting } 字节在等这个客户端读,超过了它的份额 { $limit }(它没在读)
ending-stopping = 服务器先关闭(正在停止)
done-echoed = 回显完毕,服务了一个客户端
done-next-client = 一次 recv,一次回复:轮到下一个客户端
done-full = 服务器已满
done-quit = 客户端输入了 /quit
nothing-to-echo = 客户端什么都没发就走了:没有可回显的内容
discarded = 丢弃了 { $bytes } 个未读字节,这样 close 就不会用 RST 毁掉回复
no-farewell-thread = 无法启动负责告别的线程({ $why }):被拒绝的客户端会被立即关闭
client-closed-it = { $peer }:{ $why };已关闭它
client-set-up-failed = 无法设置这个客户端的套接字,关闭它:{ $why }
turned-away-full = { $peer } 被拒绝:服务器已满(已连接 { $max } 个,--max-clients { $max })
turned-away-thread = { $peer } 被拒绝:无法为它启动线程({ $why })
port-zero = 端口 0 表示让内核随便挑一个空闲端口:它挑了 { $port }
old-timeout = --timeout { $given } 会同时设置 --accept-timeout、--idle-timeout 和 --send-timeout,所以这个服务器在 { $after } 内没有人连接时也会停止;只想限制客户端的话,用 --idle-timeout 和 --send-timeout
no-open-files-limit = 这个系统没有可提高的打开文件数上限(RLIMIT_NOFILE 是 Unix 的):每个套接字是一个句柄,限制它的是内存
open-files-failed = 无法提高打开文件数上限(RLIMIT_NOFILE):{ $why }
accept-again = accept() 恢复正常了,之前连续失败了 { $failures } 次
accept-failed = accept() -> { $errno }:{ $why };再试,每次多等一会儿
accept-emfile = 这个进程能打开的文件描述符全用完了;客户端在等待队列里等,直到空出一个
accept-enfile = 整个系统的文件描述符都用完了;客户端在等待队列里等
accept-enobufs = 内核给套接字用的内存不够了
accept-eperm = 一条防火墙规则拒绝了这个连接
accept-enetdown = 这个连接底下的网络断了
accept-eproto = 一次握手出了错(某个连接上的协议错误)
accept-may-pass = 这可能会自己好
closing-clients = 正在关闭还连着的 { $count } 个客户端;关闭前先告诉每个客户端 { $goodbye }
stop-signal = 收到 Ctrl-C 或 SIGTERM:不再接受新的客户端
reach-no-reason = 系统没说原因
reach-cannot-list = 无法列出本机的地址({ $why }):学生要输入的是 `ip addr`(Windows 上是 `ipconfig`)显示的那个地址
reach-loopback-only = 本机现在除了回环地址没有别的 { $family } 地址(没联网?):别的机器暂时还连不上它
reach-students = 学生连接用:{ $command }
reach-students-on = 学生连接用:{ $command }  ({ $interface })
status-line = 当前连接 { $live } | 已服务 { $served } | 收到 { $bytes_in } | 发出 { $bytes_out }
summary = 服务器已停止:服务了 { $served },收到 { $bytes_in } 字节,发出 { $bytes_out } 字节{ $turned_away }
summary-turned-away = ,拒绝了 { $count } 个({ $why ->
    [full] 服务器已满
   *[thread] 没有线程
})
pressure = { $why },而它没在读:在它开始读之前,先不再读它发来的数据(背压)
pressure-own = 有 { $bytes } 字节的回复在等这个客户端读
pressure-all = 所有客户端合起来有 { $total } MiB 回复在等着(上限是 { $limit } MiB),其中 { $bytes } 字节是这个客户端的
pressure-off = 客户端又开始读了:继续读它发来的数据
backlog-waited = 这个客户端在等待队列里等了 { $secs }s:已经连上,但还没被 accept
backlog-waiting = 等待队列(backlog)里有 { $count } 个客户端在等(上限 { $limit })
backlog-lesson = 它们已经连上了(内核替它们完成了三次握手),但在这个客户端结束之前没有人调用 accept():一个线程一次只服务一个客户端
nonblocking-anyway = --nonblocking 在这里不起作用:{ $step } 本来就把每个套接字设成非阻塞的
chat-fan-out = 进来一行,发出去 { $copies } 份:服务器自己把每一行发给其他每个客户端,每个客户端一次 send(内核暂时收不下的先留着)
chat-renamed = 改名为 { $name }
chat-summary = 聊天室:一共说了 { $lines } 行,送出 { $copies } 份
chat-dropped = 已踢出:聊天室有 { $waiting } 字节在等这个客户端读,超过了它的份额 { $limit }:它没在读,其他人不能等它({ $thrown } 字节被丢弃;如果它及时读,会收到原因)

## 客户端:connect、udp-send、udp-ping

connect-typing = 已连接:输入一行并按回车就会发出去;Ctrl-D 结束你这一端(shutdown SHUT_WR),Ctrl-C 退出
connect-we-closed = 我们先关闭(stdin 结束,SHUT_WR);服务器回答完后也关闭了它那一端:recv 返回 0
connect-server-closed = 服务器先关闭了连接:recv 返回 0,所以没有更多可读的了,也没有人可以发给了
connect-unfinished = 服务器关闭时还有一次 { $bytes } 字节的 sendall 在等(它不再读了):这些字节不计入下面的统计
connect-summary = 发出 { $sent } 字节,收到 { $received } 字节
connect-tls-only = { $flag } 只用于 TLS 连接:加上 --tls(socktool connect HOST PORT --tls { $flag } ...)
connect-half-close = stdin 结束:shutdown(SHUT_WR) 发出了 FIN,服务器的 recv 会返回 0;这是半关闭,我们继续读它的回答,直到它关闭
udp-connect = 对 UDP 套接字调用 connect() 不会发出任何东西:它只是把对端固定下来,内核从此只收 { $addr } 发来的数据报,并且能把"端口不可达"报告给我们
udp-implicit-bind = 内核自己把这个套接字绑定到了 { $local }(我们从没调用 bind):服务器在发送方地址里看到的端口就是 { $port }
udp-sent = 向 { $addr } 发出一个 { $bytes } 字节的数据报;最多等 { $timeout } 的回复
udp-received = 从 { $addr } 收到 { $bytes } 字节
udp-ignored = 忽略了一个来自 { $from } 的数据报:我们在等的是 { $addr }
udp-icmp = recvfrom 失败,{ $errno }:这是对我们那个数据报的 ICMP"端口不可达"回答
ping-size = --size { $size } 比 ping 自己的文字({ $text } 字节)还小:每个 ping 都整个发出
ping-duplicate = ping { $seq } 的第二个回复:重复的,不计数
ping-late = ping { $seq } 的回复在它超时之后才到:迟到了,不计数(就 pinger 当时所知,它已经丢了)
ping-stray = 一个 { $bytes } 字节的回复没有对应任何 ping(里面没有 "Ping N"):不计数

## udp-serve

udp-senders = { $over ->
    [yes] 超过 { $count } 个发送方
   *[no] { $count } 个发送方
}
udp-summary = 正在停止:{ $datagrams } 个数据报,来自 { $senders },收到 { $bytes_in } 字节,发出 { $bytes_out } 字节
udp-summary-trouble = ;故意丢掉 { $lost } 个,延迟 { $delayed } 个({ $options },--seed { $seed })
udp-summary-overflowed = ,延迟队列满时丢掉 { $count } 个
udp-summary-held = ,有 { $count } 个扣下的回复一直没发
udp-no-listen = UDP 没有 listen 也没有 accept:这里的"监听"只是说绑定到了这个地址;UDP 没有连接,所以也没有什么可 accept 的。一个套接字服务所有客户端,每个数据报都带着发送方的地址到达
udp-trouble = { $options }:每个数据报的命运由一个种子为 { $seed } 的伪随机数发生器决定(--seed { $seed } 会让同样的数据报得到同样的命运)
udp-refused = 之前的一个回复被拒绝了:{ $errno }
udp-recvfrom = recvfrom 返回了数据报和发送方的地址;回复用 sendto 发回这个地址
udp-cut = 数据报有 { $len } 字节,但 recvfrom 只要了 { $asked } 字节:内核丢掉了最后 { $lost } 字节(数据报要么整个读出,要么被截断,从不分段读);调大 --recv-size
udp-cut-unknown = 数据报比 recvfrom 要的 { $asked } 字节长:内核丢掉了剩下的部分(数据报要么整个读出,要么被截断,从不分段读),这个系统不告诉我们丢了多少(Linux 会说);调大 --recv-size
udp-empty = 一个空数据报:对 UDP 来说,recvfrom 返回 0 表示到了 0 字节,并不表示有谁关闭了什么
udp-datagram = 收到一个 { $bytes } 字节的数据报
udp-lost = 第 { $number } 个数据报被故意丢掉({ $option }):不回答,就像网络把它丢了一样
udp-at-once = 第 { $number } 个数据报:没丢,立即回答
udp-held = 第 { $number } 个数据报:回复扣下 { $ms } ms({ $option })
udp-queue-full = 第 { $number } 个数据报被丢掉:已经扣下了 { $held } 个回复(--delay 最多同时扣这么多)
udp-too-big = 没有回答:回复会有 { $bytes } 字节,超过了一个 UDP 数据报 { $limit } 字节的上限(EMSGSIZE)
udp-sendto-failed = 没有回答:sendto 失败:{ $errno }

## 命令行(以及重定向)里写错的主机、端口和 URL

target-empty-host = 主机是空的:给一个名字,比如 localhost,或者一个地址,比如 127.0.0.1
target-open-bracket = '{ $text }' 有 [ 却没有配对的 ]:写成 [::1]
target-open-bracket-port = '{ $text }' 有 [ 却没有配对的 ]:写成 [::1]:8080
target-after-bracket = ']' 后面多了 '{ $text }':写成 [::1]:8080
target-bad-v6 = '{ $text }' 不是有效的 IPv6 地址(IPv6 的 主机:端口 要写成 [::1]:8080)
target-empty-zone = '{ $text }' 的 % 后面的区域(zone)是空的:写成 fe80::1%eth0
target-no-interface = '{ $text }':没有名为 '{ $zone }' 的网络接口(`ip link` 能列出名字)
target-long-name = 主机名有 { $len } 个字符长;DNS 最多只允许 { $max } 个
target-empty-label = '{ $text }' 里有一段是空的(连着两个点,或者以点开头)
target-long-label = '{ $text }' 里有一段长 { $len } 个字符;DNS 规定两个点之间最多 { $max } 个
target-bad-char = '{ $text }' 里有 { $char },主机名里不能有它:只能用字母、数字、'-' 和 '.'
target-hyphen = '{ $text }' 里有一段以 '-' 开头或结尾,主机名不能这样
target-numeric = '{ $text }' 既不是 IP 地址,也不是主机名:IPv4 地址是四个 0-255 的数(127.0.0.1)
target-empty = 目标是空的:给一个 主机、主机:端口 或 http://主机/路径
target-slashes = '{ $text }':{ $scheme } 后面少了{ $missing ->
    [one] 一个斜杠
   *[two] 两个斜杠
},写成 { $fixed }
target-scheme = 不支持 { $scheme }:// 这种协议:socktool 只会 HTTP 和 HTTPS(http://主机/路径、https://主机/路径)
target-empty-location = Location 首部是空的
target-credentials = 不支持 user@host(URL 里带用户名密码):socktool 不发送任何认证信息
target-v6-port = '{ $text }' 可能是一个 IPv6 地址,也可能是地址加端口:带端口的 IPv6 地址要加方括号,[{ $addr }]:{ $port }(只要地址就写 [{ $text }])
target-path-char = 路径里有 { $char },它不能出现在请求行里:要做百分号编码(空格是 %20)
target-percent = 路径里 '{ $text }' 处的百分号转义不对:% 后面必须跟两个十六进制数字(% 本身写成 %25)
port-empty = 端口是空的:给一个 1 到 65535 之间的数
port-zero-client = 端口 0 是给服务器用的(由操作系统挑一个空闲端口);客户端必须指定 1 到 65535 之间的端口
port-out-of-range = 端口 { $port } 超出了范围:端口是 1 到 65535
port-not-a-number = 端口 '{ $text }' 不是 1 到 65535 之间的数

## Ctrl-C

second-ctrl-c = 第二次 Ctrl-C:立即退出(退出码 { $code });还在路上的回复会被截断

## 选项写错了(用法错误,退出码 2)

bind-v4-with-6 = --host { $host } 是 IPv4 地址,但 -6 要的是 IPv6:用 --host ::1(本机)或 ::,或者去掉 -6
bind-v6-with-4 = --host { $host } 是 IPv6 地址,但 -4 要的是 IPv4:用 --host 127.0.0.1(本机)或 0.0.0.0,或者去掉 -4
bind-mapped = --host { $host } 是写成 IPv6 形式的 IPv4 地址(::ffff:...):改用 --host { $v4 },或者用 :: 表示所有 IPv6 接口
bind-open-bracket = '{ $text }' 有 [ 却没有配对的 ]
bind-bad-host = '{ $text }' 不是可以监听的地址:用 127.0.0.1(本机)、0.0.0.0 或 ''(所有接口)、::1 或 ::
listen-port-out-of-range = 端口 { $port } 超出了范围:服务器端口是 0 到 65535
listen-port-empty = 端口是空的:给一个 0 到 65535 之间的数(0:由操作系统挑一个)
listen-port-not-a-number = '{ $text }' 不是 0 到 65535 之间的端口号(0:由操作系统挑一个)
recv-size-zero = recv 0 字节永远返回 0,而 0 的意思是"对方已关闭":至少给 1
recv-size-too-large = 一次 recv { $bytes } 字节太大了:最多 { $max }(16 MiB)
recv-size-not-a-number = '{ $text }' 不是字节数(例如 1024)
percent-not-a-number = '{ $text }' 不是百分比(例如 30 或 2.5)
percent-out-of-range = { $text } 不是 0 到 100 之间的百分比
delay-not-a-number = '{ $text }' 不是延迟:给毫秒数,例如 30,或者一个范围 10-50
delay-backwards = 延迟范围 { $range } 写反了:小的数写在前面
delay-too-long = { $ms } ms 的延迟太长了:最多 { $max }(一分钟)
secs-not-a-number = '{ $text }' 不是秒数(例如 10 或 0.5)
secs-nan = NaN 不是秒数:给一个数,例如 10 或 0.5
secs-not-positive = { $what ->
    [interval] 间隔必须大于 0 秒(给的是 { $text })
   *[timeout] 超时必须大于 0 秒(给的是 { $text }):套接字超时为 0 的意思是"永远等下去"
}
secs-too-long = { $text } 秒太长了:最多 { $max }(一天)
quiet-conflict = 参数 '--quiet' 不能和 '{ $other }' 一起用:{ $other } 添加的讲解正是 --quiet 要隐藏的
port-is-an-option = 服务器的端口是一个选项:socktool { $step } --port { $port }
useless-option = { $flag } 对 `socktool { $step }` 不起作用:{ $why }
useless-load = load 只汇总它的客户端,不逐个讲解每次调用
useless-hex = 它以十六进制显示一个步骤收发的字节,而 { $step } 什么都不发
useless-trace = { $step } 没有可跟踪的套接字调用
useless-quiet = { $step } 没有可隐藏的讲解

## load:同时跑很多客户端,以及报告

load-plan = 压测 { $addr }:{ $clients } 个客户端,每个发 { $messages } 条 { $size } 字节的消息{ $hold ->
    [yes] ,然后保持连接
   *[no] {""}
}{ $welcome ->
    [yes] ,先收欢迎行
   *[no] {""}
},期望收到 { $expecting },{ $threads } 个线程,最多 { $duration }
load-pure-echo = 原样回显
load-prefixed = "{ $prefix }" + 消息
load-bar-served = 个客户端已服务
load-bar-trips = 次往返
load-holding = 保持 { $held } 个连接({ $failed } 个失败),直到 --duration 在 { $secs }s 后结束
load-connected = 连上了 { $clients } 个客户端中的 { $connected } 个;{ $finished } 个完成{ $held ->
    [yes] (一直保持到最后)
   *[no] {""}
}
load-verified = 在 { $secs }s 内核对了 { $trips } 次 { $size } 字节的往返:每秒 { $rate } 条消息
load-latency = 往返延迟:p50 { $p50 },p99 { $p99 },最大 { $max }
load-served = 所有客户端在 { $secs }s 内都得到了服务
load-turned-away = 服务器拒绝了 { $count } 个客户端
load-failed = { $count } 个客户端:{ $label }
load-first = { $how_many };第一个:{ $first }
load-story-welcome-closed = 客户端 { $id }:服务器在发完欢迎行之前就关闭了连接(欢迎行只收到 { $got } 字节)
load-story-after-welcome = 客户端 { $id }:还没发任何消息,服务器就在欢迎行之后又发来 { $n } 字节:"{ $shown }"
load-story-no-newline = 客户端 { $id }:前 { $got } 字节里没有 '\n':这不是欢迎行(去掉 --welcome?)
load-story-closed-mid-reply = 客户端 { $id }:服务器在 { $total } 个回复中回了 { $done } 个之后关闭了连接,第 { $reply } 个回复只收到一半({ $len } 字节中的 { $got } 字节)
load-story-closed-before-reply = 客户端 { $id }:服务器在 { $total } 个回复中回了 { $done } 个之后关闭了连接,第 { $reply } 个回复还没来
load-story-held-closed = 客户端 { $id }:服务器关闭了一个保持着的连接
load-story-held-bytes = 客户端 { $id }:服务器往一个保持着的连接上发来 { $n } 个不该有的字节:"{ $shown }"
load-story-io = 客户端 { $id }:{ $call }:{ $error }
load-story-turned-away = 客户端 { $id }:服务器只发来一行 "{ $line }",然后关闭了连接
load-story-wrong-byte = 回复的第 { $pos } 字节是 '{ $got }',应该是 '{ $want }'
load-story-extra-bytes = 比 { $len } 字节的回复多出 { $extra } 字节
load-story-mismatch = 客户端 { $id },第 { $message } 条消息:{ $what }(期望 "{ $expected }",从第 { $from } 字节起收到的是 "{ $received }")
load-story-connect = 客户端 { $id }:connect 到 { $addr } 失败:{ $error }
load-out-of-ports = 临时端口用完了:用 --sources N 把客户端分散到多个源地址
load-out-of-fds = 文件描述符用完了
load-interrupted = 被 Ctrl-C 停止
fail-refused = 连接被拒绝
fail-turned-away = 被服务器拒绝
fail-connect = 连不上
fail-closed = 服务器过早关闭了连接
fail-io = 连接失败(复位或出错)
fail-mismatch = 有回复不对
fail-unfinished = 运行结束时还没完成
load-sources = --sources { $sources } 需要 { $ip },但它不是本机的地址({ $errno }):{ $add }
load-sources-macos = macOS 的回环接口上只有 127.0.0.1,要用 root 再加几个:`for i in $(seq 2 { $sources }); do ifconfig lo0 alias 127.0.0.$i up; done`
load-sources-add = 把它加到回环接口上,或者调小 --sources
load-sources-far = --sources 把客户端分散到 127.0.0.X 上,这些地址只能连到回环地址上的服务器;{ $ip } 不是
load-too-many-files = --clients { $clients } 需要 { $needed } 个打开的文件,但这个进程最多只能打开 { $limit } 个:调小 --clients,或者提高硬上限(用 root:ulimit -Hn { $raise })

## TLS:边握手边讲解,证书,信任

tls-setup = 无法设置 TLS:{ $why }
tls-offered = TLS 1.3 和 1.2,{ $suites } 个密码套件
tls-handshake = 与 { $host } 进行 TLS 握手:同一个套接字上传输的现在是 TLS 记录
tls-sni = 服务器名(SNI){ $name }
tls-no-sni = 不带服务器名(SNI 只能装名字,不能装地址)
tls-no-alpn = 不带 ALPN
tls-suite = 密码套件 { $suite }
tls-no-suite = 还没有密码套件
tls-group = ,密钥交换 { $group }
tls-chain = < Certificate:服务器发来 { $count } 张证书,它自己的在最前面:
tls-unreadable = { "  " }{ $index }(x509-parser 读不了的证书)
tls-verified = 证书验证通过:由我们信任的 CA 签发({ $roots }),现在有效,颁发给 { $host }
tls-insecure-unneeded = 其实不需要 --insecure:证书能通过验证
tls-insecure = --insecure:证书没有经过验证,而且验证本来会失败({ $why });连接是加密的,但没有任何东西能证明对方就是 { $host }:路径上的任何人都能冒充服务器,读取并篡改一切
tls-13-encrypts = TLS 1.3 会加密 ServerHello 之后的一切,证书也不例外:线路上(以及 --hex 里)这些记录都是 application_data(17 03 03);有了 --keylog,Wireshark 就能打开它们
tls-keylog-lost = 这个连接有 { $lost } 个密钥没能写进 { $path }({ $from })
tls-keylog = 这个连接的密钥已追加到 { $path }({ $from }),格式是 NSS key log:有了它们,Wireshark 就能解密这个连接的抓包,任何拿到这个文件的人也都能
tls-done = 握手完成:从现在起套接字上的每个字节都是加密的,装在 application_data 记录(17 03 03 ...)里;请求和响应都在里面传输
tls-close-notify = 服务器发来了 close_notify:这是 TLS 自己的"我说完了",所以数据流确实是服务器结束的
tls-no-close-notify = 服务器没发 TLS 的 close_notify 就关闭了 TCP:这个结尾没有经过认证(路径上的任何人都能在这里截断数据流);得靠应用层自己的格式判断数据是否收全了
tls-sent-close-notify = 已发送 close_notify:TLS 的"我不再发了",在 TCP 的 shutdown 发出 FIN 之前
tls-bad-name = { $name } 不能作为证书里的名字(只能有字母、数字、'-' 和 '.'):换个名字连接,或者直接用地址
tls-too-old = 服务器不支持 TLS 1.2 或 1.3,而这是 rustls 能接受的最老版本
tls-no-common-suite = 服务器选了一个我们没提供的密码套件
tls-no-common-group = 服务器要一种我们没提供的密钥交换
tls-no-common-signature = 服务器用的签名算法我们没提供
tls-mozilla-roots = Mozilla 的 { $count } 个根证书,编译在 socktool 里
tls-certificates = { $count } 张证书
ca-unreadable = 无法读取:{ $why }
ca-not-pem = 不是 PEM 文件:{ $why }
ca-refused = 它的 { $count } 张证书都不能用作根证书
ca-empty = 里面没有证书(没有 -----BEGIN CERTIFICATE----- 块)
cert-none = 服务器没有发来证书
cert-ca-as-host = 服务器自己的证书是 CA 证书(basicConstraints CA:TRUE):CA 是签发证书的,不能当作某台主机的证书
cert-bad-signature = 证书链里有一个签名对不上:证书被改过,或者不是用签发者的密钥签的
cert-line-ca = { "    " }(CA 证书:它签发别的证书,自己不对应任何主机)
cert-not-yet = 还要过 { $span } 才生效
cert-expired-ago = 已过期 { $span }
cert-left = 还剩 { $span }
span = { $unit ->
    [day] { $count } 天
    [hour] { $count } 小时
    [minute] { $count } 分钟
   *[second] { $count } 秒
}

## resolve、man、serve-loop

resolve-pasted = resolve 只要主机名:从 { $pasted } 里取出 { $host } 来解析(URL 的协议、端口和路径都不属于名字)
resolve-more = gethostbyname 只返回一个 IPv4 地址;{ $name } 还有 { $hidden } 个(见 --all)
man-wrote = 已写入 { $path }
man-where = 如果 { $dir } 是 `manpath` 列出的某个路径下的 man1 目录,`man socktool-resolve` 就能找到这些手册页
backlog-unseen = 这个系统不告诉我们等待队列(backlog)里有多少客户端(Linux 的 TCP_INFO 会说):服务一个客户端的时候,它们照样在等,只是看不见
loop-max-clients = 已服务 { $count } 个客户端(--max-clients):停止
loop-empty-recv = recv 返回空:这个客户端什么都没发就走了。教程的循环在这里会 `break`,整个服务器就停了;socktool 只关闭这个客户端,继续服务

## clap 的用法错误:clap 自己的那几句话(中间的具体原因已经是中文)

usage-error = 错误:
usage-tip = 提示:
usage-more = 想了解更多,试试 { $what }。
usage-invalid-value = 参数 { $arg } 的值 { $value } 不对
usage-unexpected = 多出来一个参数 { $arg }
usage-unknown-subcommand = 没有这个子命令:{ $name }
usage-missing = 缺少下面这些必需的参数:
usage-no-value = { $arg } 需要一个值,但没有给
usage-conflict = 参数 { $arg } 不能和 { $other } 一起用
usage-similar = 有一个相近的:{ $similar }

## --help:每个步骤、每个选项的说明。英文的说明就是 cli.rs 里的文档注释,
## 所以 en.ftl 里没有 help-*。help-STEP--ARG 只给这个步骤用,help--ARG
## 给所有有这个选项的步骤用。clap 自己会补上 [default: ...] 和
## [possible values: ...]。

help-usage = 用法:
help-default = [默认:{ $value }]
help-possible-values = [可选值:{ $values }]
help-heading-options = 选项
help-heading-arguments = 参数
help-heading-commands = 子命令
help-heading-output = 输出
help-heading-where-to-listen = 在哪里监听
help-heading-serving = 服务方式
help-heading-timeouts = 超时
help-heading-this-server = 这个服务器特有
help-heading-tls = TLS
help-heading-a-bad-network = 模拟一个糟糕的网络
help-exit-codes =
    退出码:
       0  成功(stdout 提前被关掉也算,比如用管道接到 head)
       2  用法错误:参数或选项不对(上面那行说了是哪个)
      35  TLS 握手失败:服务器拒绝了我们的 hello,选了 rustls 不接受的算法,
          或者那个端口上根本不是 TLS(同 curl 的 35)
      60  服务器的证书不可信:签发者未知、已过期,或者不是签给这个主机名的
          (同 curl 的 60)
      65  响应超过了 --max-bytes
          (ladder:某个文件不是 socktool --record 写的记录)
      66  输入文件读不了(--cacert,或者里面没有证书;ladder:记录文件)
      68  找不到主机:主机名解析不出来
      69  连接被拒绝或主机不可达:那里没有程序在监听
          (load:服务器满了,把客户端拒之门外;lab --pcap:这里没法抓包)
      71  bind 失败:地址被占用、端口需要特权,或者不是本机的地址
      74  其他输入输出错误,比如连接被对方重置(reset)
          (lab:某个场景的一端没有按场景的要求行事)
      75  超时:connect、TLS 握手、读或写超过了 --timeout
          (http-get:整个交互超过了 --max-time;
          load:--duration 到了,还有客户端没做完)
      76  协议错误:回复不是预期的样子(http-get:不是 HTTP、比头部说的短,
          或者 -L 时重定向太多、没法跟随;load:有字节对不上)

## 每个步骤选项下面的几行:套接字调用的顺序和例子。调用名、命令原样保留。

help-after-resolve =
    套接字调用:getaddrinfo(参数是地址时用 getnameinfo)
    例子:socktool resolve localhost --all
help-after-http-get =
    套接字调用:socket、getaddrinfo、connect、sendall、recv …… recv -> 0、close(https:// 先做 TLS 握手,握手本身也是一条条记录的 sendall 和 recv)
    例子:socktool http-get http://localhost:8000/ > page.html
    例子:socktool http-get https://localhost:8443/ --cacert ca.pem
help-after-serve-once =
    套接字调用:socket、setsockopt、bind、listen、accept、recv、sendall、close
    例子:socktool serve-once --port 8888   (然后:telnet localhost 8888)
help-after-serve-loop =
    套接字调用:socket、setsockopt、bind、listen,然后对每个客户端:accept、recv、sendall、close
    例子:socktool serve-loop --port 5000 --max-clients 3
help-after-serve-threaded =
    套接字调用:socket、setsockopt、bind、listen、accept …… accept;每个客户端线程里:sendall、recv、sendall …… recv -> 0、close
    例子:socktool serve-threaded --port 8888   (然后在别的终端里:telnet localhost 8888)
help-after-connect =
    套接字调用:socket、getaddrinfo、connect,然后两个方向同时进行:stdin -> sendall …… shutdown(SHUT_WR),以及 recv -> stdout …… recv -> 0、close(--tls 时先做 TLS 握手,之后两个方向都是 TLS 记录)
    例子:socktool connect localhost 8888 --crlf   (在管道里:printf 'hi\n' | socktool connect localhost 8888)
    例子:socktool connect localhost 8443 --tls --cacert ca.pem   (和 openssl s_client 一样,但带讲解)
help-after-udp-serve =
    套接字调用:socket(SOCK_DGRAM)、bind,然后对每个数据报:recvfrom -> sendto,最后 close
    例子:socktool udp-serve --port 8888
help-after-udp-send =
    套接字调用:socket(SOCK_DGRAM)、getaddrinfo、connect(不发送任何东西)、sendto、recvfrom、close
    例子:socktool udp-send localhost 8888 hello
help-after-udp-ping =
    套接字调用:socket(SOCK_DGRAM)、getaddrinfo、connect(不发送任何东西),然后每个 ping:sendto、poll、recvfrom,最后 close
    例子:socktool udp-ping localhost 8888 --count 20   (对面是:socktool udp-serve --loss 30 --delay 10-50)
help-after-serve-poll =
    套接字调用:socket、setsockopt、bind、listen、fcntl(O_NONBLOCK)、epoll_create、epoll_ctl,然后 epoll_wait -> 对每个就绪的套接字:accept …… EAGAIN,或者 recv …… EAGAIN 再 send(发不完的留到可写时再发),close
    例子:socktool serve-poll --port 8888 --trace   (然后在别的终端里:telnet localhost 8888)
help-after-ladder =
    套接字调用:没有(它只读 --record 写下的文件)
    例子:socktool serve-once --port 8888 --record server.jsonl &
          echo hello | socktool connect localhost 8888 --record client.jsonl
          socktool ladder server.jsonl client.jsonl
help-after-serve-chat =
    套接字调用:和 serve-poll 一样(epoll_wait、accept …… EAGAIN、recv …… EAGAIN),然后每一行:send 给其他每个客户端(发不完的留到可写时再发),close
    例子:socktool serve-chat --host 0.0.0.0   (然后在每个学生的机器上:telnet TEACHER 8888)
help-after-lab =
    套接字调用:每个场景的各端做各自的调用(serve-once、connect 和 udp-send 作为子进程运行,其余的端由 lab 自己扮演);lab 自己:unshare、ioctl(SIOCSIFFLAGS, lo up)、socket(AF_PACKET) 用来抓包
    需要:Linux,并且是 root 或者允许非特权用户命名空间,才能看到线路上的报文段;其他情况下只画调用,并用一行说明原因
    例子:socktool lab --list
          socktool lab handshake
          socktool lab backlog-full --pcap backlog.pcap
help-after-completions =
    套接字调用:没有(它只打印补全脚本)
    例子:socktool completions bash > ~/.local/share/bash-completion/completions/socktool   (先 mkdir -p 这个目录)
help-after-man =
    套接字调用:没有(它只打印手册页)
    例子:socktool man | man -l -   (或者安装:socktool man --dir ~/.local/share/man/man1)
help-after-load =
    套接字调用:每个客户端 socket、[bind 127.0.0.X]、connect(非阻塞),然后 epoll 报告哪个套接字就绪就对它 send、recv ……,最后 close
    stdout 上的结果行:clients=N connected=N failed=N mismatched=N unfinished=N messages=N seconds=S msgs_per_sec=R p50_us=U p99_us=U max_us=U served_s=S
    例子:socktool load 127.0.0.1 8888 --welcome --clients 50 --messages 2000

help-about-socktool =
    socktool:把一份经典的套接字教程一步一步放到真实的套接字上运行,边运行边讲解,用来学习 TCP 和 UDP 编程。

    讲解(包括教程自己打印的那些行)写到 stderr;数据写到 stdout,所以 `socktool http-get example.com > page.html` 只保存响应。
help-about-help = 显示这段说明,或者某个子命令的说明
help-about-resolve = 第 2 步:把主机名解析成 IP 地址(gethostbyname、getaddrinfo),或者反过来由地址查主机名(getnameinfo)
help-about-http-get = 第 3 步:连接 Web 服务器,发一个 HTTP GET 请求,打印响应(socket、connect、sendall、recv、close);https:// 则在同一个套接字上先建立 TLS,再在 TLS 里做这些
help-about-serve-once = 第 4 步:当一回服务器:accept 一个客户端,recv 一次,把收到的字节原样发回去,关闭,退出
help-about-serve-loop = 第 5 步:一个接一个地服务客户端:每个客户端 recv 一次,回一句 "OK...",其余的在 listen 的等待队列(backlog)里排队
help-about-serve-threaded = 第 6 步:每个客户端一个线程:先发欢迎行,之后它发来的每一行都回 "OK..." 加上这一行,直到它离开
help-about-connect = 教程之外:和任意 TCP 服务器对话,就像 telnet 或 nc。你输入的内容发出去,服务器发来的内容一到就打印
help-about-udp-serve = 教程之外:UDP 服务器。没有 listen,也没有 accept:recvfrom 每次返回一个数据报和它的发送方,sendto 回复 'OK...' 加上数据
help-about-udp-send = 教程之外:发一个 UDP 数据报,打印收到的那一个回复
help-about-udp-ping = 教程之外:Kurose 和 Ross 书里的 UDP ping 程序:带编号的 ping,每个回复的往返时间(RTT)或超时,最后像 ping 一样给出统计
help-about-serve-poll = 教程之外:一个线程服务所有客户端,由内核(epoll)告诉它哪些套接字就绪了;协议和 serve-threaded 一样
help-about-ladder = 把一次对话两端的记录(--record FILE)画成一张时序图(梯形图):每一端一列,列出它的调用,中间用箭头画出字节和 FIN(不是教程的步骤)
help-about-serve-chat = 教程之外:建在 serve-poll 事件循环上的聊天室。客户端发的每一行都转给其他所有客户端,并带上发送者的名字
help-about-lab = 在一个私有网络里把一次完整的对话(两端都在)跑一遍,并画出来:客户端的调用、线路上的每一个报文段(SYN、ACK、FIN、RST ……)、服务器的调用和内核的状态,画在同一条时间线上(不是教程的步骤)
help-about-completions = 打印 socktool 的 shell 补全脚本(不是教程的步骤)
help-about-man = 打印 socktool 的 man 手册页(roff 格式,给 man(1) 用),或者写到一个目录里,每页一个文件(不是教程的步骤)
help-about-load = 行协议的压测工具:同时开很多客户端,每个都发若干行,并逐字节检查每个回复(不是教程的步骤,是用来测量教程里写出的那些服务器的工具)

help--help = 显示帮助
help--version = 显示版本
help--color = 给讲解和错误加颜色:auto = 只在 stderr 是终端且没有设置 NO_COLOR 时加(CLICOLOR_FORCE=1 强制加)
help--lang = 提示、建议和错误用哪种语言:en 或 zh(默认看 LC_ALL、LC_MESSAGES 或 LANG)。教程自己打印的那些行、套接字调用名和 errno 名照教程原样保留英文
help--quiet = 只输出数据:stderr 上不再讲解(服务器照样打印脚本要等的 "Socket now listening on" 那一行,以及错误)
help--trace = 同时打印每一次套接字调用:参数和结果,出错时带上 errno 名(ECONNREFUSED、EAGAIN ……)
help--hex = 把每一块收发的数据以十六进制显示,标出方向和大小:能看到 telnet 发的 \r\n,也能看到每次 recv 的边界落在哪里
help--record = 同时把 --trace 显示的每一次调用写到 FILE,一行一个 JSON 对象,带上所有进程共用的时钟时间:`socktool ladder` 能把服务器和客户端的记录画成一次完整的对话
help--ipv4 = 只用 IPv4(AF_INET)
help--ipv6 = 只用 IPv6(AF_INET6)
help--cacert = 只信任 FILE(PEM 格式)里的 CA 证书,而不是编译进 socktool 的 Mozilla 根证书:比如课堂自己的 CA,和 curl 的 --cacert 一样
help--insecure = 证书验证不通过也继续,并用一条警告说明为什么没通过。数据照样加密,但加密给的是“任何一个应答的人”:路径上谁都可以冒充服务器
help--keylog = 把这个连接的 TLS 密钥以 NSS key log 格式追加到 FILE,让 Wireshark 能解密抓到的包(和浏览器、curl 一样,SSLKEYLOGFILE 也能做到)。拿到这个文件的人就能看到通信内容
help--host = 要监听的地址 [默认:127.0.0.1,加 -6 时是 ::1:只有本机能连]。''(教程里的 HOST = '')、0.0.0.0 或 :: 表示在所有网络接口上监听,别的机器也能连进来
help--port = 要监听的端口;0 表示让操作系统挑一个空闲端口(监听那一行会显示是哪个)
help--reuse_address = 在 bind 之前设置 SO_REUSEADDR(TCP 服务器默认就设;UDP 服务器只有加了这个才设):服务器重启时,即使旧连接还处在 TIME_WAIT,也能重新 bind 这个端口
help--no_reuse_address = 不设置 SO_REUSEADDR:TCP 服务器关闭连接后一分钟内重启,就会遇到教程里的 "Address already in use"(旧连接还在 TIME_WAIT)
help--backlog = listen(N):已经完成三次握手、等着 accept 取走的连接,内核最多排多少个(教程的 listen(10) 就是 --backlog 10)。在 Linux 上,等待队列满了并不会拒绝新来的客户端:内核丢掉它握手的最后一个包,让它等着
help--recv_size = 每次 recv 调用要多少字节(教程里是 recv(1024))
help--accept_timeout = 这么久没有客户端连进来就放弃(退出码 75):等第一个客户端,或者没人连着时等下一个 [默认:一直等]
help--idle_timeout = 客户端这么久什么都没发,就断开它 [默认:serve-threaded 和 serve-poll 是 600 秒,也就是十分钟,比课间休息长,比笔记本开一晚上短;其他服务器和教程里的一样,一直等]
help--send_timeout = 客户端这么久一点回复都不收,就断开它:它已经不读了 [默认:一直等;一个不读数据的客户端只占着它自己那一个连接]
help--timeout = 早期版本的那一个超时:一次把上面三个都设上,所以这么久没人连进来,服务器也会停。只想限制客户端的话,用 --idle-timeout 和 --send-timeout
help--nonblocking = 把套接字设成非阻塞(O_NONBLOCK),用重试代替等待:没有数据时 accept 和 recv 立即返回 EAGAIN,服务器每次都会说出来
help--nodelay = 在每个客户端套接字上设置 TCP_NODELAY:小的回复立即发出,不用等 Nagle 算法
help--welcome = 每个客户端最先收到的那一行(自动加 "\n";'' 表示不发)
help--prefix = 每个回复里,放在客户端自己的字节之前的内容
help--max_clients = 同时连着的客户端上限;超过上限的新客户端收到一行 "Server full (N clients). Try again later.",然后被关闭

help-resolve--host = 要查询的主机名(www.example.com),或者要查主机名的 IP 地址。粘贴一个 URL 或 HOST:PORT 也行,会从中取出主机
help-resolve--all = getaddrinfo 返回的每一个地址,IPv4 和 IPv6 都有,每个只列一次,标出地址族(gethostbyname 只给第一个 IPv4 地址)
help-resolve--short = 只输出地址,一行一个,方便脚本使用
help-resolve--quiet = 只输出结果:stderr 上没有说明
help-resolve--trace = 同时打印解析器的调用(getaddrinfo 或 getnameinfo),以及它的参数和结果

help-http-get--target = 连到哪里:host、host:port、[v6addr]:port、http://host[:port]/path,或者 https://host[:port]/path(在 TLS 里走 HTTP,不写端口就是 443)
help-http-get--tutorial = 完全照教程发请求 "GET / HTTP/1.1\r\n\r\n",而且只 recv 一次,和教程一样(响应可能被截断)
help-http-get--recv_size = 每次 recv 调用要多少字节 [默认:65536;加 --tutorial 时是 4096,即教程的 recv(4096)]
help-http-get--timeout = connect 以及每一次读写最多等多少秒;什么都不会永远卡住(可以用小数:0.5)
help-http-get--max_time = 整个交互(从 connect 到最后一个字节)最多用多少秒(同 curl 的 --max-time),超过就以 75 退出:--timeout 只限制每一次调用,一个每秒发一个字节的服务器否则永远也发不完
help-http-get--max_bytes = 收到这么多字节的响应就停(退出码 65):防止服务器没完没了地发
help-http-get--location = 跟随重定向(301、302、303、307、308,带 Location 头),每一跳都讲解,和 curl -L 一样:只打印最后一个响应的正文
help-http-get--max_redirs = 和 -L 一起用:最多跟随多少次重定向,超过就放弃(退出码 76)

help-serve-loop--max_clients = 服务完这么多个客户端就停(退出码 0)[默认:一直服务到 Ctrl-C]
help-serve-chat--max_clients = 聊天室里同时在线的客户端上限;超过上限的新客户端收到一行 "Server full (N clients). Try again later.",然后被关闭
help-serve-chat--welcome = 每个客户端最先收到的那一行('' 表示不发);接着有一行告诉它自己是谁、谁在线,以及可用的命令(/nick NAME、/who、/quit)

help-connect--host = 服务器:主机名(localhost)或地址(127.0.0.1、::1)。也可以写成 HOST:PORT(IPv6 写 [::1]:8888),代替这两个参数
help-connect--port = 服务器监听的端口
help-connect--crlf = 把每个行尾都按 \r\n 发送,和 telnet 一样(本来就是 \r\n 的保持不变)。不加这个,字节按输入或管道里的原样发出
help-connect--timeout = 等待连接建立的秒数 [默认:10]。给了这个选项,它同时也是连接空闲(两个方向都没有字节)的最长时间,超过就以 75 退出,类似 `nc -w`;不给的话,空闲的会话一直保持,和 telnet 一样。发送总是有限制的:服务器这么久(不给时是 10 秒)一个字节都不收,说明它已经不读了,socktool 以 75 退出
help-connect--tls = 先在连接上建立 TLS(和 openssl s_client 一样):握手过程会讲解,之后你输入的内容加密发出,服务器发来的内容解密后打印

help-udp-serve--recv_size = 每次 recvfrom 要多少字节。数据报要么整个读出,要么被截断:装不下的部分由内核丢弃(默认值能装下最大的数据报;试试 4,看一个被截断的数据报)
help-udp-serve--loss = 按这个百分比丢弃数据报(0 到 100,可以有小数),就像网络把它们弄丢了一样:不回复。本机回环从不丢数据报;这就是 Kurose 和 Ross 书里 UDP ping 的服务器
help-udp-serve--delay = 每个回复延迟这么多毫秒,或者在一个范围(10-50)里随机取,就像路径很长或很忙:ping 程序会看到抖动
help-udp-serve--seed = --loss 和 --delay 的随机数从这里开始:同样的种子、同样的数据报,就得到同样的丢包和延迟 [默认:每次运行取一个新的,启动时显示]

help-udp-send--host = 服务器:主机名(localhost)或地址(127.0.0.1、::1)。也可以写成 HOST:PORT(IPv6 写 [::1]:8888),代替这两个参数
help-udp-send--port = 服务器绑定的 UDP 端口
help-udp-send--message = 要发送的内容,作为一个数据报逐字节发送(不加行尾)。不给的话,读入 stdin 的全部内容,作为一个数据报发送
help-udp-send--timeout = 等回复的秒数(可以用小数:0.5)。UDP 没有连接,也没有确认:没有回音是丢包的唯一迹象
help-udp-send--no_connect = 不对套接字调用 connect():直接用 sendto/recvfrom,和教程表格里一样。这样端口关着和数据报丢了看起来完全一样(都是超时),因为内核不把 ICMP 错误告诉我们

help-udp-ping--host = 服务器:主机名(localhost)或地址(127.0.0.1、::1)。也可以写成 HOST:PORT(IPv6 写 [::1]:8888),代替这两个参数
help-udp-ping--port = 服务器绑定的 UDP 端口
help-udp-ping--count = 发多少个 ping(作业里是 10 个)
help-udp-ping--interval = 相邻两个 ping 之间隔多少秒(可以用小数:0.2)
help-udp-ping--timeout = 每个回复等多少秒,超过就显示 "Request timed out"
help-udp-ping--size = 每个 ping 的字节数:它的文本("Ping 1 1733120000.123456")后面用 '.' 补齐 [默认:只有文本]

help-ladder--files = 用 --record 录下的记录:一个服务器的和它的客户端的,或者只有一个
help--svg = 同时把时序图写成一个独立的 SVG 图片文件
help--mermaid = 打印 Mermaid 的 sequenceDiagram,代替文本画的图(GitHub 会在 Markdown 的 ```mermaid 代码块里画出来)
help--width = 文本画的图有多少个字符宽:80 正好适合投影

help-lab--scenario = 要跑的对话:handshake、echo、half-close、reset、refused、backlog-full、time-wait、nagle 或 udp(--list 会说明每个演示什么)
help-lab--list = 列出所有场景,一行一个:名字和它演示什么
help-lab--pcap = 同时把抓到的每一帧写到 FILE,存成 pcap 文件,可以用 Wireshark 或 tcpdump -r 打开
help-lab--no_namespace = 在本机的回环接口上跑,不建私有网络命名空间:只画调用,不抓包(lab 建不了命名空间时自己就是这样做的)

help-completions--shell = 为哪种 shell 生成脚本
help-man--dir = 把 socktool.1、socktool-resolve.1 …… 写到 DIR(不存在就创建),而不是把所有页打印到 stdout。选一个 man 会查找的 man1 目录(`manpath` 列出它查找的地方,通常是 ~/.local/share/man/man1),之后 `man socktool-resolve` 就能用了

help-load--host = 服务器:地址(127.0.0.1、::1)或主机名(localhost),只解析一次
help-load--port = 服务器的端口
help-load--clients = 同时打开的连接数;每个连接在这边占一个文件描述符,在服务器那边占一个套接字(常常还有一个线程)
help-load--messages = 每个客户端的往返次数:发一行,等它的整个回复
help-load--size = 每条消息的字节数,包括最后的 '\n'(教程的服务器用 recv(1024) 读:对它不要超过 1024)
help-load--welcome = 发第一条消息之前,先读服务器的欢迎行(读到 '\n' 为止),serve-threaded 和教程第 6 步都会发一行
help-load--prefix = 每个回复在回显的消息前面带的内容:教程是 "OK...";纯回显服务器(socat、ncat)用 ''
help-load--duration = 整个运行的硬上限,单位秒(可以有小数):到时还在等的客户端算作没做完,运行自己结束
help-load--hold = 连上所有客户端,每个做一次往返,然后全部保持打开直到 --duration 结束:服务器能同时撑住多少个连接?
help-load--sources = 把客户端分散到这么多个源地址上:127.0.0.1、127.0.0.2 ……(connect 之前先 bind):每个地址有自己的约 28,000 个临时端口,所以 50,000 个客户端至少要 2 个(目标只能是 IPv4 回环地址)
help-load--connect_batch = 同时等待服务器第一次应答(三次握手,然后是欢迎行或第一个回复)的客户端数;其余的排队轮候。比教程的 listen(10) 小,所以服务器的等待队列不会溢出;调大它,就能看到一拥而上时丢掉客户端
help-load--threads = 驱动客户端的线程数,每个线程用 epoll 轮询自己那一份 [默认:每个 CPU 核一个]
help-load--quiet = 只输出 stdout 上的结果行(和错误):stderr 上没有进度、说明或总结

## ladder:图旁边的说明和图例(图里的标签是调用名、报文段和状态,不翻译)

ladder-wrote-svg = 已把时序图以 SVG 格式写到 { $path }
ladder-no-calls = 文件里一次调用也没有
ladder-too-narrow = { $ends } 个端并排放不进 { $width } 列宽(最多放 { $most } 个):用 --width { $need },或者用 --svg FILE 或 --mermaid 来画
ladder-legend-handshake = connect:三次握手(画在 connect 开始的时刻)
ladder-legend-data = 发出的字节
ladder-legend-segment = 线路上的一个报文段
ladder-legend-waits = (poll 的等待没有画出)
ladder-legend-separator = {"; "}

## lab:每个场景演示什么,在哪里运行,以及为什么没有线路那一列

lab-lesson-handshake = connect 发出 SYN,正在监听的内核回 SYN-ACK,最后的 ACK 完成三次握手:accept 只取已经建立好的连接
lab-lesson-echo = 教程里 serve-once 的那次对话:connect、send、回显,然后服务器先关闭
lab-lesson-half-close = shutdown(SHUT_WR) 发出 FIN,服务器照样能回复:这就是半关闭,另一个方向还开着
lab-lesson-reset = SO_LINGER 设为 0,close 就变成了复位(RST):对方的 recv 以 ECONNRESET 失败
lab-lesson-refused = 套接字 bind 了但没有 listen:SYN 得到的回答是 RST,connect 以 ECONNREFUSED 失败
lab-lesson-backlog-full = listen(1) 加三个客户端:等待队列(accept 队列)满了,第三个 SYN 被丢掉,一秒后重传
lab-lesson-time-wait = 谁先关闭,谁就要在 TIME_WAIT 里待 60 秒:这次对话里是服务器,下一次是客户端
lab-lesson-nagle = 两次小的写:Nagle 算法把第二次扣住,直到对方的延迟 ACK(约 40 ms)到来;TCP_NODELAY 让它立即发出
lab-lesson-udp = 数据报:没有三次握手,没有 ACK,没有 FIN;一次 sendto 就是一个数据报,对应一次 recvfrom
lab-no-scenario = 请指定一个场景({ $names }),或者用 --list 看每个场景演示什么
lab-unknown-scenario = 没有叫 { $name } 的场景;可选的场景有:{ $names }(socktool lab --list 会说明每个演示什么)
lab-no-namespace-given = 给了 --no-namespace
lab-ran-in = 运行环境:{ $how };在它的回环接口上抓到 { $count } 个报文段
lab-no-wire = 没有线路那一列:{ $why };调用是在本机的回环接口上画出来的,箭头是由调用推断的
lab-wrote-pcap = 已把 { $count } 帧写到 { $path }(用 Wireshark 打开,或者:tcpdump -nr { $path })
lab-not-linux = 抓取报文段需要一个私有的网络命名空间,这是 Linux 才有的({ $os } 没有):在 Linux 上运行 socktool lab 才能看到线路
lab-ns-root = 一个私有的网络命名空间(以 root 身份)
lab-ns-user = 私有的用户命名空间和网络命名空间(不需要 root)
lab-ns-map = 建好了用户命名空间,但没法把当前用户映射进去({ $error })
lab-ns-lo = 没法启用命名空间里的回环接口({ $error })
lab-ns-threads = unshare(CLONE_NEWUSER) 不接受有多个线程的进程({ $errno })
lab-ns-no-more = 这台机器不允许再建用户命名空间了({ $errno }):调大 user.max_user_namespaces,或者以 root 身份运行
lab-ns-refused = 这个内核不允许非特权用户建命名空间({ $errno }):以 root 身份运行(sudo),或者用 sysctl kernel.unprivileged_userns_clone=1 打开它(Ubuntu:kernel.apparmor_restrict_unprivileged_userns=0)

## lab:场景里的某一端没有按场景的要求行事

lab-wait-accept = 一个可以 accept 的客户端
lab-wait-handshake = 三次握手完成
lab-wait-datagram = 一个数据报
lab-waited = 在 { $addr } 上等了 { $after },也没等到{ $what }
lab-no-exe = 找不到 socktool 自己:{ $error }
lab-cannot-start = 无法启动 socktool { $step }:{ $error }
lab-no-address = { $line } 里没有地址
lab-never-said = 一直没有说出 { $text }
lab-cannot-write = 无法写入它的 stdin:{ $error }
lab-did-not-exit = 没有退出
lab-cannot-wait = 无法等待它退出:{ $error }
lab-exited = 退出码是 { $code },而不是 { $want }:{ $last }
lab-reset-missed = 复位之后,服务器的 recv 应该以 ECONNRESET 失败,但它返回的是 { $got }
lab-third-panicked = 第三个客户端的线程 panic 了
lab-capture-panicked = 抓包线程 panic 了
