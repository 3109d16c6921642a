#!/usr/bin/env python3
"""A stand-in for the Hugging Face Hub on 127.0.0.1, for tests/test_hub.cpp (no test reaches the
internet). Serves ROOT/ORG/NAME/FILE as /ORG/NAME/resolve/REVISION/FILE with the Hub's headers:
*.safetensors files are "LFS" files (ETag and X-Linked-Etag: their SHA-256, X-Linked-Size), other
files get a git-style SHA-1 ETag. Range requests ("bytes=N-") get 206 + Content-Range.
The ORG chooses a behaviour:
  gated     401 unless "Authorization: Bearer let-me-in"
  redirect  /resolve/ answers 302 to /cdn/ORG/NAME/FILE (hash headers on the 302 only)
  cut       an LFS file asked for without Range: full Content-Length, half the body, then close
  corrupt   an LFS file's body with one byte flipped (headers still give the true hash)
  slow      LFS bodies in 256-byte pieces, 20 ms apart
  norange   Range headers ignored (the whole file, 200)
Every request is appended to ROOT/requests.log as "METHOD PATH RANGE". Prints the port, then serves.
Usage: hub_server.py ROOT
"""
import hashlib
import http.server
import os
import sys
import time

ROOT = sys.argv[1]


class Hub(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log_request_line(self):
        with open(os.path.join(ROOT, "requests.log"), "a") as log:
            log.write("%s %s %s\n" % (self.command, self.path, self.headers.get("Range", "-")))

    def plain(self, status, text, extra=()):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.log_request_line()
        parts = self.path.split("/")
        cdn = len(parts) == 5 and parts[1] == "cdn"
        if cdn:
            org, name, file = parts[2], parts[3], parts[4]
        elif len(parts) == 6 and parts[3] == "resolve":
            org, name, file = parts[1], parts[2], parts[5]
        else:
            return self.plain(404, "no such path")
        repo = os.path.join(ROOT, org, name)
        if org == "gated" and self.headers.get("Authorization") != "Bearer let-me-in":
            return self.plain(401, "Access to this repo is restricted", [("X-Error-Code", "GatedRepo")])
        if not os.path.isdir(repo):
            return self.plain(404, "Repository not found", [("X-Error-Code", "RepoNotFound")])
        path = os.path.join(repo, file)
        if not os.path.isfile(path):
            return self.plain(404, "Entry not found", [("X-Error-Code", "EntryNotFound")])
        with open(path, "rb") as f:
            data = f.read()
        lfs = file.endswith(".safetensors")
        sha256 = hashlib.sha256(data).hexdigest()
        hash_headers = [("X-Linked-Etag", '"%s"' % sha256), ("X-Linked-Size", str(len(data)))] if lfs else []
        if org == "redirect" and not cdn:
            self.send_response(302)
            self.send_header("Location", "/cdn/%s/%s/%s" % (org, name, file))
            self.send_header("Content-Length", "0")
            for k, v in hash_headers:
                self.send_header(k, v)
            self.end_headers()
            return
        if org == "corrupt" and lfs:
            data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
        start, status = 0, 200
        wanted = self.headers.get("Range")
        if wanted and wanted.startswith("bytes=") and wanted.endswith("-") and org != "norange":
            start, status = int(wanted[6:-1]), 206
        body = data[start:]
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        if not cdn:
            self.send_header("ETag", '"%s"' % (sha256 if lfs else hashlib.sha1(data).hexdigest()))
            for k, v in hash_headers:
                self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        if org == "cut" and lfs and not wanted:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if org == "slow" and lfs:
            for i in range(0, len(body), 256):
                self.wfile.write(body[i : i + 256])
                self.wfile.flush()
                time.sleep(0.02)
            return
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that cancels mid-body breaks the pipe: expected here


server = Server(("127.0.0.1", 0), Hub)
print(server.server_address[1], flush=True)
server.serve_forever()
