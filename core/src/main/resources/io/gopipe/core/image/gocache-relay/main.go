// gopipe-gocache-relay: lets `go build` inside a BuildKit build reach the agent's `gopipe gocache
// serve` daemon through the build's SSH forwarding, which travels over the client's BuildKit
// session and so works with a remote builder too.
//
// Up to buildx 0.25 / BuildKit 0.23 the client does not forward a socket raw: it speaks the
// ssh-agent protocol to it and passes on only agent requests (session/sshforward/sshprovider/
// agentprovider.go: a read-only agent that refuses extensions). A sign request carries an
// arbitrary payload and its answer an arbitrary signature, so the relay tunnels the bridge's byte
// stream through sign requests to gopipe's tunnel end on the agent (core image AgentTunnel):
//
//	key blob  = string "gopipe-tunnel-v1"
//	data      = 'O'                 open a session to the daemon   -> format "ok", blob = session id (16 bytes)
//	          | 'W' id bytes        bytes for the daemon           -> "ok"
//	          | 'R' id              wait for bytes from the daemon -> "ok" + bytes, or "eof"
//	          | 'Z' id              the same, compressed           -> "okz" + raw deflate of the bytes, or "eof"
//	          | 'C' id              end the session                -> "ok"
//	any error                                                      -> format "err", blob = message
//
// Usage, as GOCACHEPROG: relay -agent SOCKET [-args-file FILE] BRIDGE [BRIDGE ARGS...]
//
// The direct link (a local builder whose RUN steps share the agent's network, `--network host`):
// relay -direct-env NAME BRIDGE [BRIDGE ARGS...], where the variable NAME holds
// "gopipe-gocache-v1 tcp:127.0.0.1:PORT TOKEN [ARG...]" (each field query-escaped). The relay sends
// TOKEN and a newline on every connection to that address (gopipe's DirectGoCacheLink), then the
// bridge's bytes as they are, both ways: no agent framing, no round trip per message. Without the
// session mounts (ssh, secret) BuildKit before v0.16 also skips a content checksum of the step's
// whole root file system that such a mount wrongly causes (seconds on a fresh builder).
// The relay listens on a private unix socket, starts the bridge with GOPIPE_GOCACHE_DAEMON pointing
// at it, and pumps every connection through the tunnel. Without a usable agent socket it starts
// the bridge alone (the bridge then warns once and answers from its own directory): the cache never
// fails a build. Standard library only, so it builds offline.
package main

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

const keyFormat = "gopipe-tunnel-v1"

// Messages above 16 MiB are refused by the ssh-agent code on the client; stay well below. Each
// write is a round trip through the BuildKit session, so a large put goes in few of them.
const chunk = 4 << 20

func main() {
	agentSock := flag.String("agent", os.Getenv("SSH_AUTH_SOCK"), "the forwarded ssh-agent socket (RUN --mount=type=ssh)")
	argsFile := flag.String("args-file", "", "extra bridge arguments, one a line (a build secret: not part of the step's cache key)")
	directEnv := flag.String("direct-env", "", "variable with the direct link: \"gopipe-gocache-v1 tcp:HOST:PORT TOKEN [ARG...]\"")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: gopipe-gocache-relay (-agent SOCKET [-args-file FILE] | -direct-env NAME) BRIDGE [ARGS...]")
		os.Exit(2)
	}
	args := append([]string{}, flag.Args()[1:]...)
	var direct *directLink
	if *directEnv != "" {
		direct = parseDirect(os.Getenv(*directEnv))
		os.Unsetenv(*directEnv) // the token stays out of the bridge's and go's environment
		if direct != nil {
			args = append(args, direct.args...)
		}
	}
	if *argsFile != "" {
		if b, err := os.ReadFile(*argsFile); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					args = append(args, l)
				}
			}
		}
	}
	cmd := exec.Command(flag.Arg(0), args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()

	var ln net.Listener
	var dir string
	if direct != nil {
		var err error
		if dir, err = os.MkdirTemp("", "gopipe-relay-"); err == nil {
			sock := filepath.Join(dir, "d.sock")
			if ln, err = net.Listen("unix", sock); err == nil {
				cmd.Env = append(cmd.Env, "GOPIPE_GOCACHE_DAEMON=unix:"+sock)
				go acceptDirect(ln, direct)
			}
		}
	} else if *agentSock != "" {
		if _, err := os.Stat(*agentSock); err == nil {
			var err error
			if dir, err = os.MkdirTemp("", "gopipe-relay-"); err == nil {
				sock := filepath.Join(dir, "d.sock")
				if ln, err = net.Listen("unix", sock); err == nil {
					cmd.Env = append(cmd.Env, "GOPIPE_GOCACHE_DAEMON=unix:"+sock)
					go accept(ln, *agentSock)
				}
			}
		}
	}
	err := cmd.Run()
	if ln != nil {
		ln.Close()
	}
	if dir != "" {
		os.RemoveAll(dir) // os.Exit skips deferred calls
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gopipe gocache relay: %v\n", err)
		os.Exit(1)
	}
}

// directLink is the agent's loopback address and the token its listener expects first.
type directLink struct {
	addr  string
	token string
	args  []string
}

// parseDirect reads the direct-link variable; anything else (unset, a user's own value) is nil.
func parseDirect(v string) *directLink {
	f := strings.Fields(v)
	if len(f) < 3 || f[0] != "gopipe-gocache-v1" {
		return nil
	}
	d := &directLink{}
	for i, x := range f[1:] {
		u, err := url.QueryUnescape(x)
		if err != nil {
			return nil
		}
		switch i {
		case 0:
			if !strings.HasPrefix(u, "tcp:") {
				return nil
			}
			d.addr = strings.TrimPrefix(u, "tcp:")
		case 1:
			d.token = u
		default:
			d.args = append(d.args, u)
		}
	}
	return d
}

func acceptDirect(ln net.Listener, d *directLink) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			a, err := net.Dial("tcp", d.addr)
			if err != nil {
				fmt.Fprintf(os.Stderr, "gopipe gocache relay: cannot reach the agent at %s: %v\n", d.addr, err)
				return
			}
			defer a.Close()
			if _, err := io.WriteString(a, d.token+"\n"); err != nil {
				return
			}
			done := make(chan struct{})
			go func() {
				io.Copy(c, a) // daemon -> bridge
				if uc, ok := c.(*net.UnixConn); ok {
					uc.CloseWrite()
				}
				close(done)
			}()
			io.Copy(a, c) // bridge -> daemon
			if tc, ok := a.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			<-done
		}(c)
	}
}

func accept(ln net.Listener, agentSock string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go pump(c, agentSock)
	}
}

// pump carries one bridge connection through two agent connections: one writes, one long-polls
// reads (the agent protocol is one request, one answer, so a connection cannot do both at once).
func pump(c net.Conn, agentSock string) {
	defer c.Close()
	w, err := dial(agentSock)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gopipe gocache relay: %v\n", err)
		return
	}
	defer w.Close()
	id, err := w.call('O', nil, nil)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gopipe gocache relay: opening the tunnel: %v\n", err)
		return
	}
	r, err := dial(agentSock)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gopipe gocache relay: %v\n", err)
		return
	}
	defer r.Close()
	var wg sync.WaitGroup
	wg.Add(2)
	// daemon -> bridge: one goroutine asks for the next answer while another inflates the last one
	// and writes it to the bridge (the daemon streams a job's prefetched set: hundreds of MiB).
	answers := make(chan answer, 2)
	go func() {
		defer wg.Done()
		defer close(answers)
		// Compressed reads: the Go build outputs that go to the build are the tunnel's bulk, and each
		// byte crosses the BuildKit session; an agent end without 'Z' answers an error once and the
		// relay reads plainly.
		op := byte('Z')
		for {
			a, err := r.callRaw(op, id, nil)
			if err != nil && op == 'Z' && strings.Contains(err.Error(), "unknown tunnel operation") {
				op = 'R'
				a, err = r.callRaw(op, id, nil)
			}
			if err != nil || a.format == "eof" {
				return
			}
			answers <- a
		}
	}()
	go func() {
		defer wg.Done()
		defer func() {
			for range answers { // the bridge is gone: let the reader end
			}
		}()
		for a := range answers {
			b, err := a.payload()
			if err == nil && len(b) > 0 {
				_, err = c.Write(b)
			}
			if err != nil {
				break // the bridge went away or the answer was damaged: the bridge sees the end and warns once
			}
		}
		if uc, ok := c.(*net.UnixConn); ok {
			uc.CloseWrite()
		}
	}()
	buf := make([]byte, chunk)
	for { // bridge -> daemon
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := w.call('W', id, buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	w.call('C', id, nil)
	wg.Wait()
}

type agentConn struct {
	net.Conn
	r *bufio.Reader
}

func dial(sock string) (*agentConn, error) {
	c, err := net.Dial("unix", sock)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the forwarded agent socket %s: %v", sock, err)
	}
	return &agentConn{Conn: c, r: bufio.NewReaderSize(c, 1<<16)}, nil
}

// call sends one tunnel request as an ssh-agent sign request and returns the answer's payload;
// an "eof" answer is an empty payload without error.
func (a *agentConn) call(op byte, id, payload []byte) ([]byte, error) {
	r, err := a.callRaw(op, id, payload)
	if err != nil {
		return nil, err
	}
	return r.payload()
}

// answer is a tunnel answer as it came: "ok", "okz" (raw deflate) or "eof", and its blob.
type answer struct {
	format string
	blob   []byte
}

func (r answer) payload() ([]byte, error) {
	switch r.format {
	case "ok":
		return r.blob, nil
	case "okz":
		out, err := io.ReadAll(flate.NewReader(bytes.NewReader(r.blob)))
		if err != nil {
			return nil, fmt.Errorf("tunnel: corrupt compressed answer: %v", err)
		}
		if len(out) == 0 {
			return nil, errors.New("tunnel: empty compressed answer")
		}
		return out, nil
	default:
		return nil, nil // eof
	}
}

// callRaw sends one tunnel request and returns the answer undecoded; an "err" answer is an error.
func (a *agentConn) callRaw(op byte, id, payload []byte) (answer, error) {
	data := make([]byte, 0, 1+len(id)+len(payload))
	data = append(append(append(data, op), id...), payload...)
	key := sshString(nil, []byte(keyFormat))
	msg := []byte{13} // SSH_AGENTC_SIGN_REQUEST
	msg = sshString(msg, key)
	msg = sshString(msg, data)
	msg = binary.BigEndian.AppendUint32(msg, 0)
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(msg)), uint32(len(msg)))
	if _, err := a.Write(append(frame, msg...)); err != nil {
		return answer{}, err
	}
	var n uint32
	if err := binary.Read(a.r, binary.BigEndian, &n); err != nil {
		return answer{}, err
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(a.r, body); err != nil {
		return answer{}, err
	}
	if len(body) == 0 || body[0] != 14 { // SSH_AGENT_SIGN_RESPONSE
		return answer{}, errors.New("the agent refused the request (is the socket gopipe's tunnel?)")
	}
	sig, _, ok := readString(body[1:])
	if !ok {
		return answer{}, errors.New("malformed agent answer")
	}
	format, rest, ok := readString(sig)
	if !ok {
		return answer{}, errors.New("malformed agent answer")
	}
	blob, _, ok := readString(rest)
	if !ok {
		return answer{}, errors.New("malformed agent answer")
	}
	switch f := string(format); f {
	case "ok", "okz", "eof":
		return answer{format: f, blob: blob}, nil
	default:
		return answer{}, fmt.Errorf("tunnel: %s", blob)
	}
}

func sshString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func readString(b []byte) (s, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(len(b)-4) < uint64(n) {
		return nil, nil, false
	}
	return b[4 : 4+n], b[4+n:], true
}
