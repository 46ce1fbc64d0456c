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

hint-resolve-web = 检查拼写和网络(`getent hosts { $host }` 用的是同一个解析器);没有网络的话,自己提供一个网页:在另一个终端运行 `python3 -m http.server 8000 --bind 127.0.0.1`,再运行 `socktool http-get localhost:8000`
hint-resolve = 检查拼写和网络:`getent hosts { $host }` 用的是同一个解析器(/etc/hosts 里的名字,例如 localhost,没有网络也能解析)
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
open-files-raised = 把打开文件数上限(RLIMIT_NOFILE)从 { $before } 提高到了硬上限 { $after }:每个套接字都占一个文件描述符
open-files = 打开文件数上限(RLIMIT_NOFILE):{ $limit }(硬上限是 { $hard }):每个套接字都占一个文件描述符
reachable = 正在监听 { $addr }:{ $every ->
    [yes] 这是所有网络接口,别的机器都能连上这个服务器
   *[no] 这是本机的一个网络地址,同一网络上的别的机器都能连上这个服务器
};用 --host { $local } 可以只让本机访问
