# A plain Python HTTP/1.1 server (http.server), optionally wrapped in ssl: the
# non-corio peer of corio-http's client tests. Prints its port on the first line.
import http.server, json, ssl, sys, threading, time, urllib.parse

lock = threading.Lock()
stats = {"connections": 0, "active": 0, "peak": 0}

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with lock:
            stats["connections"] += 1
            stats["active"] += 1
            stats["peak"] = max(stats["peak"], stats["active"])

    def finish(self):
        try:
            super().finish()
        finally:
            with lock:
                stats["active"] -= 1

    def log_message(self, *args):
        pass

    def send_body(self, body, status=200, ctype="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        p = url.path
        if p == "/hello":
            self.send_body(b"hello from python")
        elif p == "/headers":
            self.send_body(json.dumps(dict(self.headers)).encode(), ctype="application/json")
        elif p == "/query":
            self.send_body(json.dumps(q).encode(), ctype="application/json")
        elif p == "/stats":
            with lock:
                body = json.dumps(stats).encode()
            self.send_body(body, ctype="application/json")
        elif p == "/big":
            n = int(q.get("n", "0"))
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            block = bytes(i % 251 for i in range(251 * 256))
            sent = 0
            while sent < n:
                # the pattern continues across blocks: offset i has byte i % 251
                k = min(len(block), n - sent)
                self.wfile.write(block[:k])
                sent += k
        elif p == "/slow":
            time.sleep(int(q.get("ms", "100")) / 1000)
            self.send_body(b"slow")
        elif p.startswith("/loop/"):
            nxt = "/loop/b" if p == "/loop/a" else "/loop/a"
            self.send_response(302)
            self.send_header("Location", nxt)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif p.startswith("/redirect/"):
            n = int(p.rsplit("/", 1)[1])
            if n == 0:
                self.send_body(b"arrived")
            else:
                self.send_response(302)
                self.send_header("Location", f"/redirect/{n - 1}")
                self.send_header("Content-Length", "0")
                self.end_headers()
        elif p == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            self.close_connection = True
        elif p == "/status":
            self.send_body(b"status", status=int(q.get("code", "200")))
        else:
            self.send_body(b"not found", status=404)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        self.send_body(body, ctype=self.headers.get("Content-Type", "application/octet-stream"))

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

srv = Server(("127.0.0.1", 0), Handler)
if len(sys.argv) > 2:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), srv.shutdown()), daemon=True).start()
srv.serve_forever()
